using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Handlers;
using Quarry.Jobs.Model;
using Quarry.Jobs.Telemetry;

namespace Quarry.Jobs.Workers;

/// <summary>
/// Pulls jobs from the backend and runs them with bounded concurrency. Outcomes are reported in batches by one
/// reporter, leases of running jobs are renewed by a heartbeat, and on stop running jobs get a grace period
/// before they are handed back unfinished, so no accepted job is lost.
/// </summary>
public sealed partial class JobWorker(
    IJobBackend backend, JobHandlers handlers, WorkerSettings settings, TimeProvider clock, ILogger<JobWorker> logger, JobCompletions? completions = null,
    JobMetrics? metrics = null, IHostApplicationLifetime? lifetime = null)
    : BackgroundService
{
    private const int MaxReportBatch = 512;

    /// <summary>Longest time between two heartbeats.</summary>
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(15);
    private readonly Channel<JobOutcome> _outcomes = Channel.CreateUnbounded<JobOutcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, JobLease> _running = new();
    private readonly SemaphoreSlim _slots = new(settings.Concurrency, Math.Max(1, settings.Concurrency));
    private readonly CancellationTokenSource _abandon = new();
    private long _completed;
    private long _failed;

    /// <summary>Jobs this worker finished successfully.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Attempts that failed (retried or final).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Concurrency == 0)
        {
            return; // this process only serves the API; `quarry worker` processes run the jobs
        }

        if (lifetime is not null && !await StartedAsync(lifetime, stoppingToken))
        {
            return; // the host never finished starting (a listener failed to bind): take nothing
        }

        await InitializeAsync(stoppingToken);
        await HeartbeatAsync();
        LogStarted(logger, settings.Id, backend.Name, settings.Concurrency);
        var reporter = ReportLoopAsync();
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatLoopAsync(stopHeartbeat.Token);
        var runs = new List<Task>();
        try
        {
            await TakeLoopAsync(runs, stoppingToken);
        }
        finally
        {
            await DrainAsync(runs);
            await stopHeartbeat.CancelAsync();
            _outcomes.Writer.TryComplete();
            await reporter;
            await heartbeat;
            LogStopped(logger, settings.Id, Completed, Failed);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _slots.Dispose();
        _abandon.Dispose();
        base.Dispose();
    }

    /// <summary>True once the host has started; false when it stops first.</summary>
    private static async Task<bool> StartedAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task InitializeAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await backend.InitializeAsync(stoppingToken);
                return;
            }
            catch (JobBackendUnavailableException e)
            {
                LogUnavailable(logger, backend.Name, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, clock, stoppingToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task TakeLoopAsync(List<Task> runs, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < settings.Concurrency && _slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }

                IReadOnlyList<JobLease> leases;
                try
                {
                    leases = await backend.TakeAsync(settings.Id, free, TimeSpan.FromSeconds(1), stoppingToken);
                }
                catch
                {
                    _slots.Release(free);
                    throw;
                }

                if (free > leases.Count)
                {
                    _slots.Release(free - leases.Count);
                }

                foreach (var lease in leases)
                {
                    _running[lease.Id] = lease;
                    runs.Add(RunAsync(lease));
                }

                runs.RemoveAll(t => t.IsCompleted);
                backoff = TimeSpan.FromMilliseconds(250);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (JobBackendUnavailableException e)
            {
                LogUnavailable(logger, backend.Name, e.Message, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task RunAsync(JobLease lease)
    {
        await Task.Yield(); // never run a handler on the take loop's thread
        // The slot and the lease stay held until the reporter has stored the outcome, so a worker never holds more
        // jobs than its concurrency: a crash re-runs at most that many.
        metrics?.Started(lease, backend.Name, clock.GetUtcNow());
        var started = clock.GetTimestamp();
        JobOutcome outcome;
        using (var span = JobTracing.StartAttempt(lease, settings.Id, backend.Name))
        {
            outcome = await ExecuteAsync(lease);
            JobTracing.End(span, outcome);
        }

        metrics?.Finished(lease.Type, backend.Name, outcome.Kind, clock.GetElapsedTime(started));

        if (outcome.Kind is OutcomeKind.Retry or OutcomeKind.Fail)
        {
            Interlocked.Increment(ref _failed);
            LogJobFailed(logger, lease.Id, lease.Type, lease.Attempt, outcome.Kind == OutcomeKind.Retry, outcome.Error ?? "");
        }
        else if (outcome.Kind == OutcomeKind.Complete)
        {
            Interlocked.Increment(ref _completed);
        }

        _outcomes.Writer.TryWrite(outcome);
    }

    private async Task<JobOutcome> ExecuteAsync(JobLease lease)
    {
        if (!handlers.TryGet(lease.Type, out var handler))
        {
            return new JobOutcome(lease, OutcomeKind.Fail, Error: $"No handler for job type '{lease.Type}' in worker {settings.Id}.");
        }

        try
        {
            using var payload = JsonDocument.Parse(lease.Payload);
            var result = await handler.RunAsync(new JobContext(lease.Id, payload.RootElement, lease.Attempt, settings.Id), _abandon.Token);
            return new JobOutcome(lease, OutcomeKind.Complete, Result: result);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            return new JobOutcome(lease, OutcomeKind.Release);
        }
        catch (Exception e) when (e is PermanentJobException or JsonException)
        {
            return new JobOutcome(lease, OutcomeKind.Fail, Error: e.Message);
        }
        catch (Exception e)
        {
            var error = $"{e.GetType().Name}: {e.Message}";
            return lease.Attempt < settings.MaxAttempts
                ? new JobOutcome(lease, OutcomeKind.Retry, Error: error, NotBefore: clock.GetUtcNow() + settings.Backoff(lease.Attempt + 1, Random.Shared.NextDouble()))
                : new JobOutcome(lease, OutcomeKind.Fail, Error: error);
        }
    }

    private async Task DrainAsync(List<Task> runs)
    {
        var pending = runs.Where(t => !t.IsCompleted).ToArray();
        if (pending.Length == 0)
        {
            return;
        }

        LogDraining(logger, pending.Length, settings.ShutdownGrace.TotalSeconds);
        var all = Task.WhenAll(pending);
        if (await Task.WhenAny(all, Task.Delay(settings.ShutdownGrace, clock)) != all)
        {
            await _abandon.CancelAsync(); // handlers that honour cancellation hand their jobs back
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(2), clock));
        }
    }

    private async Task ReportLoopAsync()
    {
        var batch = new List<JobOutcome>(MaxReportBatch);
        while (await _outcomes.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxReportBatch && _outcomes.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            var delay = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                try
                {
                    await backend.ReportAsync(batch, CancellationToken.None);
                    completions?.Recorded(batch.Where(o => o.Kind is OutcomeKind.Complete or OutcomeKind.Fail).Select(o => o.Lease.Id));
                    foreach (var reported in batch)
                    {
                        _running.TryRemove(reported.Lease.Id, out _);
                        _slots.Release();
                    }

                    break;
                }
                catch (JobBackendUnavailableException e)
                {
                    // Keep the outcomes: if this process dies first, the leases expire and the jobs run again.
                    LogUnavailable(logger, backend.Name, e.Message, delay.TotalSeconds);
                    await Task.Delay(delay, clock);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
                }
            }

            batch.Clear();
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken stop)
    {
        // Often enough that leases never lapse and that the worker counts as seen within the last minute even when idle.
        var period = settings.LeaseDuration / 3 < HeartbeatPeriod ? settings.LeaseDuration / 3 : HeartbeatPeriod;
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var leases = _running.Values.ToArray();
                try
                {
                    if (leases.Length > 0)
                    {
                        await backend.RenewAsync(leases, CancellationToken.None);
                    }
                }
                catch (JobBackendUnavailableException e)
                {
                    LogUnavailable(logger, backend.Name, e.Message, 0);
                }

                await HeartbeatAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Tells the job store this worker is alive; a store that is down only delays it to the next beat.</summary>
    private async Task HeartbeatAsync()
    {
        try
        {
            await backend.RecordWorkerAsync(settings.Id, CancellationToken.None);
        }
        catch (JobBackendUnavailableException e)
        {
            LogUnavailable(logger, backend.Name, e.Message, HeartbeatPeriod.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = EventIds.JobWorkerStarted, Level = LogLevel.Information, Message = "Worker {Worker} taking jobs from the {Backend} backend, {Concurrency} at a time")]
    private static partial void LogStarted(ILogger logger, string worker, string backend, int concurrency);

    [LoggerMessage(EventId = EventIds.JobWorkerStopped, Level = LogLevel.Information, Message = "Worker {Worker} stopped: {Completed} completed, {Failed} failed attempts")]
    private static partial void LogStopped(ILogger logger, string worker, long completed, long failed);

    [LoggerMessage(EventId = EventIds.JobWorkerUnavailable, Level = LogLevel.Warning, Message = "Job backend {Backend} unavailable ({Reason}); retrying in {Seconds:F1} s")]
    private static partial void LogUnavailable(ILogger logger, string backend, string reason, double seconds);

    [LoggerMessage(EventId = EventIds.JobWorkerJobFailed, Level = LogLevel.Warning, Message = "Job {Id} ({Type}) attempt {Attempt} failed (will retry: {Retry}): {Error}")]
    private static partial void LogJobFailed(ILogger logger, Guid id, string type, int attempt, bool retry, string error);

    [LoggerMessage(EventId = EventIds.JobWorkerDraining, Level = LogLevel.Information, Message = "Stopping: waiting up to {Seconds:F0} s for {Running} running job(s)")]
    private static partial void LogDraining(ILogger logger, int running, double seconds);
}
