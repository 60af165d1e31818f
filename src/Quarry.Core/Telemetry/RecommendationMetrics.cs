using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Quarry.Core.Telemetry;

/// <summary>
/// Recommendation latency (meter <c>Quarry.Recommendations</c>), tagged with the service (<c>playlists</c>, <c>movies</c>) and
/// where the answer came from (<c>rules</c> or <c>model</c>, else <c>popular</c>); its count is the number of answers by source.
/// Recording takes two tag structs of strings the caller already has: nothing is allocated per request.
/// </summary>
public sealed class RecommendationMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Quarry.Recommendations";

    private static readonly double[] Buckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Histogram<double> _duration;

    /// <summary>Creates the instrument on the container's meter factory.</summary>
    public RecommendationMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _duration = meters.Create(MeterName).CreateHistogram("quarry.recommendations.duration", "s",
            "Time to answer a recommendation request, from its start to the answer being ready.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    /// <summary>One answer of <paramref name="service"/> from <paramref name="source"/>, begun at <paramref name="started"/> (a Stopwatch timestamp).</summary>
    public void Answered(string service, string source, long started)
    {
        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("source", source));
        }
    }
}
