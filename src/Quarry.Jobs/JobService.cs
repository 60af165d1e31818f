using System.Text;
using System.Text.Json;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Handlers;
using Quarry.Jobs.Model;
using Quarry.Jobs.Telemetry;

namespace Quarry.Jobs;

/// <summary>A job request that cannot be accepted (unknown type, bad payload); the API answers 400.</summary>
public sealed class InvalidJobException(string message) : Exception(message);

/// <summary>Submits, reads, lists and cancels jobs: what the API and other services use.</summary>
public sealed class JobService(IJobBackend backend, JobHandlers handlers, Workers.JobCompletions? completions = null, JobMetrics? metrics = null)
    : IDisposable
{
    private readonly SemaphoreSlim _initializing = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Largest payload accepted, in bytes of JSON.</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    /// <summary>The backend in use.</summary>
    public IJobBackend Backend => backend;

    /// <summary>The job types that can be submitted.</summary>
    public IReadOnlyList<string> Types => handlers.Types;

    /// <summary>Validates and submits one job; durable when the task completes.</summary>
    public async Task<JobRecord> SubmitAsync(string type, JsonElement payload, CancellationToken cancellationToken)
    {
        if (!handlers.TryGet(type, out var handler))
        {
            throw new InvalidJobException($"Unknown job type '{Clip(type)}'; known types: {string.Join(", ", handlers.Types)}.");
        }

        if (handler.Validate(payload) is { } problem)
        {
            throw new InvalidJobException(problem);
        }

        var text = payload.GetRawText();
        if (Encoding.UTF8.GetByteCount(text) > MaxPayloadBytes)
        {
            throw new InvalidJobException($"The payload is larger than {MaxPayloadBytes / 1024} KiB.");
        }

        await EnsureInitializedAsync(cancellationToken);
        var (traceParent, traceState) = JobTracing.Capture();
        var job = new NewJob(Guid.CreateVersion7(), type, text) { TraceParent = traceParent, TraceState = traceState };
        var records = await backend.SubmitAsync([job], cancellationToken);
        metrics?.Submitted(type, backend.Name);
        return records[0];
    }

    /// <summary>
    /// Waits until the job reaches a final state or <paramref name="timeout"/> passes, and returns its record (still
    /// unfinished on timeout). A worker in this process wakes the waiter at once; otherwise the record is polled.
    /// </summary>
    public async Task<JobRecord?> WaitAsync(Guid id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var recorded = completions?.WhenRecorded(id);
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            var poll = TimeSpan.FromMilliseconds(2);
            while (true)
            {
                var record = await GetAsync(id, cancellationToken);
                if (record is null || JobStatus.IsFinal(record.Status) || DateTime.UtcNow >= deadline)
                {
                    return record;
                }

                var wait = Task.Delay(poll, cancellationToken);
                await (recorded is null ? wait : Task.WhenAny(recorded, wait));
                poll = TimeSpan.FromMilliseconds(Math.Min(poll.TotalMilliseconds * 2, 50));
            }
        }
        finally
        {
            completions?.Forget(id);
        }
    }

    /// <summary>The record, or null when unknown.</summary>
    public async Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        return await backend.GetAsync(id, cancellationToken);
    }

    /// <summary>A page of records, newest first.</summary>
    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        return await backend.ListAsync(query, cancellationToken);
    }

    /// <summary>How many jobs are in each status (every status present, 0 when none).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        return await backend.CountAsync(cancellationToken);
    }

    /// <summary>Workers whose latest heartbeat is at or after <paramref name="since"/>, most recent first.</summary>
    public async Task<IReadOnlyList<WorkerSeen>> ListWorkersAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        return await backend.ListWorkersAsync(since, cancellationToken);
    }

    /// <summary>Cancels a job that has not started; returns the record after the attempt, or null when unknown.</summary>
    public async Task<JobRecord?> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        return await backend.CancelAsync(id, cancellationToken);
    }

    /// <summary>Creates the backend's tables or queues on first use; a backend that is down is tried again on the next call.</summary>
    private async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initializing.WaitAsync(cancellationToken);
        try
        {
            if (!_initialized)
            {
                await backend.InitializeAsync(cancellationToken);
                _initialized = true;
            }
        }
        finally
        {
            _initializing.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _initializing.Dispose();

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
