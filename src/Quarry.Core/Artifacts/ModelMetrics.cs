using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Quarry.Core.Artifacts;

/// <summary>
/// The served models as metrics (meter <c>Quarry.Models</c>), tagged with the model's name: how long loads take, swaps and
/// rejected artifacts, and for the model being served its version, publication time and age.
/// </summary>
public sealed class ModelMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Quarry.Models";

    private static readonly double[] LoadBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly ConcurrentDictionary<string, Func<Publication?>> _served = new(StringComparer.Ordinal);
    private readonly Histogram<double> _load;
    private readonly Counter<long> _swaps;
    private readonly Counter<long> _rejected;
    private readonly TimeProvider _clock;

    /// <summary>Creates the instruments on the container's meter factory.</summary>
    public ModelMetrics(IMeterFactory meters, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        var meter = meters.Create(MeterName);
        _load = meter.CreateHistogram("quarry.model.load.duration", "s", "Time to read and check an artifact before it is swapped in.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LoadBuckets });
        _swaps = meter.CreateCounter<long>("quarry.model.swaps", "{swap}", "Models swapped in (the first load included).");
        _rejected = meter.CreateCounter<long>("quarry.model.rejected", "{artifact}", "Damaged artifacts that were not served.");
        meter.CreateObservableGauge("quarry.model.published", Published, "s", "When the served model was published (Unix time), tagged with its version.");
        meter.CreateObservableGauge("quarry.model.age", Age, "s", "How long ago the served model was published.");
    }

    /// <summary>Reports the model <paramref name="current"/> returns under <paramref name="model"/> in the gauges.</summary>
    public void Track(string model, Func<Publication?> current) => _served[model] = current;

    /// <summary>A model was loaded in <paramref name="elapsed"/> and swapped in.</summary>
    public void Swapped(string model, TimeSpan elapsed)
    {
        _load.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", model));
        _swaps.Add(1, new KeyValuePair<string, object?>("model", model));
    }

    /// <summary>An artifact of <paramref name="model"/> was damaged and skipped.</summary>
    public void Rejected(string model) => _rejected.Add(1, new KeyValuePair<string, object?>("model", model));

    private IEnumerable<Measurement<double>> Published() => Served((model, p) =>
        new Measurement<double>(p.UnixNanoseconds / 1e9, new("model", model), new("version", p.Version)));

    private IEnumerable<Measurement<double>> Age()
    {
        var now = Publication.ToUnixNanoseconds(_clock.GetUtcNow());
        return Served((model, p) => new Measurement<double>(Math.Max(0, now - p.UnixNanoseconds) / 1e9, new("model", model), new("version", p.Version)));
    }

    private List<Measurement<double>> Served(Func<string, Publication, Measurement<double>> measure)
    {
        var measurements = new List<Measurement<double>>(_served.Count);
        foreach (var (model, current) in _served)
        {
            if (current() is { } publication)
            {
                measurements.Add(measure(model, publication));
            }
        }

        return measurements;
    }
}
