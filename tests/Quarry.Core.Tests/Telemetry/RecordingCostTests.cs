using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Quarry.Core.Telemetry;

namespace Quarry.Core.Tests.Telemetry;

/// <summary>What recording costs a request once metrics are on: the OpenTelemetry SDK collects, and nothing is allocated.</summary>
public sealed class RecordingCostTests
{
    [Fact]
    public void Recording_recommendations_allocates_nothing_once_their_series_exist_and_every_one_is_collected()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var exporter = new CountingExporter();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(RecommendationMetrics.MeterName)
            .AddReader(new BaseExportingMetricReader(exporter)).Build();
        var metrics = new RecommendationMetrics(factory);
        var started = Stopwatch.GetTimestamp();
        metrics.Answered("playlists", "rules", started);
        metrics.Answered("movies", "popular", started);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            metrics.Answered(i % 2 == 0 ? "playlists" : "movies", i % 2 == 0 ? "rules" : "popular", started);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        Assert.True(provider.ForceFlush());
        Assert.Equal(5_001, exporter.Count("playlists", "rules"));
        Assert.Equal(5_001, exporter.Count("movies", "popular"));
    }

    /// <summary>Sums the histogram counts it is handed, by service and source.</summary>
    private sealed class CountingExporter : BaseExporter<Metric>
    {
        private readonly Dictionary<(string, string), long> _counts = [];

        public long Count(string service, string source) => _counts.GetValueOrDefault((service, source));

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    string? service = null, source = null;
                    foreach (var tag in point.Tags)
                    {
                        (service, source) = tag.Key switch { "service" => (tag.Value as string, source), "source" => (service, tag.Value as string), _ => (service, source) };
                    }

                    _counts[(service!, source!)] = point.GetHistogramCount();
                }
            }

            return ExportResult.Success;
        }
    }
}
