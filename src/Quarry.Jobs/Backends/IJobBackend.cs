using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends;

/// <summary>
/// Durable job records plus the queue that feeds workers. Every backend (embedded SQLite, Redis,
/// RabbitMQ with PostgreSQL) passes the same behavioural suite (tests/Quarry.Jobs.Tests/Contract).
/// Guarantees: a submitted job is durable when <see cref="SubmitAsync"/> returns; a job is removed from the
/// queue only after a final outcome; a lease not renewed within the lease duration expires and the job is
/// taken again (at-least-once); final states never change; outcomes of a superseded attempt are ignored.
/// </summary>
public interface IJobBackend : IAsyncDisposable
{
    /// <summary><c>embedded</c>, <c>redis</c> or <c>rabbitmq</c>.</summary>
    string Name { get; }

    /// <summary>Creates tables, streams or queues if missing; safe to call again. Throws <see cref="JobBackendUnavailableException"/> when the engine cannot be reached.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Stores the records as <c>submitted</c> and queues them; durable when the task completes. A repeated id throws <see cref="DuplicateJobException"/>.</summary>
    Task<IReadOnlyList<JobRecord>> SubmitAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken);

    /// <summary>The record, or null for an unknown id.</summary>
    Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Records newest first, optionally of one status. A cursor this backend did not issue throws <see cref="ArgumentException"/>.</summary>
    Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>How many records are in each status; every status in <see cref="JobStatus.All"/> is a key (0 when none).</summary>
    Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken);

    /// <summary>Cancels a job still <c>submitted</c> (never started, or waiting for a retry). Returns the record after the attempt (unchanged when it had already started), or null when unknown.</summary>
    Task<JobRecord?> CancelAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="max"/> runnable jobs for <paramref name="worker"/>, waiting up to <paramref name="wait"/>
    /// when none is runnable. Each taken job becomes <c>in progress</c> with this worker, attempts + 1 and a start time,
    /// leased for the lease duration. Jobs whose previous lease expired are runnable again; cancelled ones are dropped.
    /// </summary>
    Task<IReadOnlyList<JobLease>> TakeAsync(string worker, int max, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Extends the leases of jobs still running (a worker's heartbeat).</summary>
    Task RenewAsync(IReadOnlyList<JobLease> leases, CancellationToken cancellationToken);

    /// <summary>Records the outcomes and removes finished jobs from the queue, in as few round trips as the engine allows.</summary>
    Task ReportAsync(IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="worker"/> is alive now (a worker's heartbeat, also sent while idle).</summary>
    Task RecordWorkerAsync(string worker, CancellationToken cancellationToken);

    /// <summary>The workers whose latest heartbeat is at or after <paramref name="since"/>, most recent first.</summary>
    Task<IReadOnlyList<WorkerSeen>> ListWorkersAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Null when healthy, otherwise why not (for <c>/readyz</c>).</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>The backend's engine cannot be reached; the API answers 503 and retries later.</summary>
public sealed class JobBackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A job with this id already exists.</summary>
public sealed class DuplicateJobException(Guid id) : Exception($"A job with id {id} already exists.")
{
    /// <summary>The repeated id.</summary>
    public Guid Id { get; } = id;
}
