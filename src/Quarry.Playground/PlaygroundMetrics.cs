using System.Diagnostics.Metrics;

namespace Quarry.Playground;

/// <summary>
/// The playground's metrics (meter <c>Quarry.Playground</c>): runs by outcome (<c>ok</c>, <c>error</c> for a non-zero exit,
/// <c>timeout</c>, <c>refused</c> when no run slot or sandbox was had), time-outs, sandboxes kept warm, and how long a sandbox
/// takes to start.
/// </summary>
public sealed class PlaygroundMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Quarry.Playground";

    private static readonly double[] StartBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _runs;
    private readonly Counter<long> _timeouts;
    private readonly Histogram<double> _start;
    private Func<int>? _warm;

    /// <summary>Creates the instruments on the container's meter factory.</summary>
    public PlaygroundMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _runs = meter.CreateCounter<long>("quarry.playground.runs", "{run}", "Python runs, by outcome.");
        _timeouts = meter.CreateCounter<long>("quarry.playground.timeouts", "{run}", "Runs stopped at the wall-clock or CPU limit.");
        _start = meter.CreateHistogram("quarry.playground.sandbox.start.duration", "s", "From launching a sandbox to Python waiting for code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StartBuckets });
        meter.CreateObservableGauge("quarry.playground.sandboxes.warm", () => _warm is { } warm ? [new Measurement<int>(warm())] : Array.Empty<Measurement<int>>(),
            "{sandbox}", "Sandboxes started and waiting for a run.");
    }

    /// <summary>Where the warm-pool gauge reads from (the local pool; a remote evaluator has none).</summary>
    public void ObserveWarm(Func<int> warm) => _warm = warm;

    /// <summary>A run finished with <paramref name="result"/>.</summary>
    public void Ran(EvalResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.TimedOut)
        {
            _timeouts.Add(1);
        }

        _runs.Add(1, new KeyValuePair<string, object?>("outcome", result.TimedOut ? "timeout" : result.ExitCode == 0 ? "ok" : "error"));
    }

    /// <summary>A run was refused (busy, or the playground is unavailable).</summary>
    public void Refused() => _runs.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));

    /// <summary>A sandbox took <paramref name="elapsed"/> to start.</summary>
    public void SandboxStarted(TimeSpan elapsed) => _start.Record(elapsed.TotalSeconds);
}
