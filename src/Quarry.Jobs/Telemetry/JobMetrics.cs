using System.Diagnostics.Metrics;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Telemetry;

/// <summary>
/// The job system's counters and histograms (meter <c>Quarry.Jobs</c>), each tagged with the job type and the backend:
/// submitted, started, completed, failed (for good) and retried, the wait from submission to a first start, and the run time.
/// Tags are the type and backend strings the caller already holds, so recording allocates nothing.
/// </summary>
public sealed class JobMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Quarry.Jobs";

    // From a millisecond job to an hour-long training run.
    private static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;

    /// <summary>Creates the instruments on the container's meter factory.</summary>
    public JobMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _submitted = meter.CreateCounter<long>("quarry.jobs.submitted", "{job}", "Jobs accepted.");
        _started = meter.CreateCounter<long>("quarry.jobs.started", "{attempt}", "Attempts a worker started (a retried job starts again).");
        _completed = meter.CreateCounter<long>("quarry.jobs.completed", "{job}", "Jobs that finished successfully.");
        _failed = meter.CreateCounter<long>("quarry.jobs.failed", "{job}", "Jobs that failed on their last allowed attempt.");
        _retried = meter.CreateCounter<long>("quarry.jobs.retried", "{attempt}", "Failed attempts that will be tried again.");
        _wait = meter.CreateHistogram("quarry.jobs.wait.duration", "s", "From submission to the start of the first attempt.", advice: advice);
        _run = meter.CreateHistogram("quarry.jobs.run.duration", "s", "How long an attempt ran, whatever its outcome.", advice: advice);
    }

    /// <summary>A job of <paramref name="type"/> was accepted by <paramref name="backend"/>.</summary>
    public void Submitted(string type, string backend) => _submitted.Add(1, Type(type), Backend(backend));

    /// <summary>A worker started <paramref name="lease"/>'s attempt at <paramref name="now"/>.</summary>
    public void Started(JobLease lease, string backend, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _started.Add(1, Type(lease.Type), Backend(backend));
        if (lease.Attempt == 1 && lease.SubmittedAt is { } submitted)
        {
            _wait.Record(Math.Max(0, (now - submitted).TotalSeconds), Type(lease.Type), Backend(backend));
        }
    }

    /// <summary>An attempt of <paramref name="type"/> ended as <paramref name="outcome"/> after <paramref name="elapsed"/>.</summary>
    public void Finished(string type, string backend, OutcomeKind outcome, TimeSpan elapsed)
    {
        var counter = outcome switch
        {
            OutcomeKind.Complete => _completed,
            OutcomeKind.Fail => _failed,
            OutcomeKind.Retry => _retried,
            _ => null, // handed back unrun at shutdown: neither a success nor a failure
        };
        counter?.Add(1, Type(type), Backend(backend));
        _run.Record(elapsed.TotalSeconds, Type(type), Backend(backend));
    }

    private static KeyValuePair<string, object?> Type(string type) => new("type", type);

    private static KeyValuePair<string, object?> Backend(string backend) => new("backend", backend);
}
