using System.Diagnostics.Metrics;
using Quarry.Core.Telemetry;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Telemetry;

/// <summary>
/// What the job store holds, as gauges of meter <c>Quarry.Jobs</c>: jobs in each state (the queue depth) and the workers
/// heard from in the last minute. Both are read from the backend in the background, at most every few seconds and only
/// while something scrapes, so a scrape never waits on the store.
/// </summary>
public sealed class JobGauges
{
    /// <summary>A worker counts as seen when its last heartbeat is this recent.</summary>
    public static readonly TimeSpan SeenWithin = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly Sampled<IReadOnlyDictionary<string, long>> _counts;
    private readonly Sampled<IReadOnlyList<WorkerSeen>> _workers;
    private readonly string _backend;

    /// <summary>Registers the gauges on the container's meter factory.</summary>
    public JobGauges(JobService jobs, IMeterFactory meters, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(clock);
        _backend = jobs.Backend.Name;
        _counts = new(jobs.CountAsync, MaxAge, clock);
        _workers = new(ct => jobs.ListWorkersAsync(clock.GetUtcNow() - SeenWithin, ct), MaxAge, clock);
        var meter = meters.Create(JobMetrics.MeterName);
        meter.CreateObservableGauge("quarry.jobs.queue.depth", Depth, "{job}", "Jobs in each state, from the job store.");
        meter.CreateObservableGauge("quarry.jobs.workers", Workers, "{worker}", "Workers whose heartbeat reached the job store in the last minute.");
    }

    private IEnumerable<Measurement<long>> Depth()
    {
        if (_counts.Get() is not { } counts)
        {
            return [];
        }

        return JobStatus.All.Select(s => new Measurement<long>(counts.GetValueOrDefault(s), new KeyValuePair<string, object?>("state", s),
            new KeyValuePair<string, object?>("backend", _backend)));
    }

    private IEnumerable<Measurement<int>> Workers() =>
        _workers.Get() is { } workers ? [new Measurement<int>(workers.Count, new KeyValuePair<string, object?>("backend", _backend))] : [];
}
