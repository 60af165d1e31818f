using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Core.Hosting;

namespace Quarry.Core.Tests.Hosting;

/// <summary>The drain's count of requests in flight, and the gauge that publishes it.</summary>
public sealed class DrainTests
{
    [Fact]
    public void The_in_flight_gauge_reads_the_requests_entered_and_not_yet_left()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var drain = new Drain(Options.Create(new ServerOptions()), TimeProvider.System, NullLogger<Drain>.Instance,
            services.GetRequiredService<IMeterFactory>());
        var seen = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Drain.MeterName && instrument.Name == "quarry.http.in_flight")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => seen.Add(value));
        listener.Start();

        listener.RecordObservableInstruments();
        drain.Enter();
        drain.Enter();
        drain.Enter();
        drain.Exit();
        listener.RecordObservableInstruments();
        drain.Exit();
        drain.Exit();
        listener.RecordObservableInstruments();

        Assert.Equal([0, 2, 0], seen);
    }
}
