using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>Job records and queue in one SQLite database file, for <c>quarry serve</c> with workers in the same process.</summary>
internal sealed class SqliteJobBackend : IJobBackend
{
    private const int MaxTake = 1000;

    // An idle taker looks again when the next lease runs out or retry comes due (no write announces those), and at least
    // this often: every 100 ms when other processes' commits cannot be watched, else every 2 s in case an event was lost.
    private static readonly TimeSpan BlindPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WatchedPoll = TimeSpan.FromSeconds(2);

    // Never sooner than this, whatever the clock says is due (a test's fake clock may stand still on a due time).
    private static readonly TimeSpan ShortestPause = TimeSpan.FromMilliseconds(5);

    private readonly string _databasePath;
    private readonly JobBackendOptions _options;
    private readonly JobTableSql _sql;
    private readonly ILogger _logger;
    private SqliteJobStore? _store;
    private JobTableWriter? _table;
    private string? _failure;
    private int _disposed;

    /// <summary>A client of the database at <paramref name="databasePath"/> (created with its directory if missing).</summary>
    public SqliteJobBackend(string databasePath, JobBackendOptions options, ILogger<SqliteJobBackend>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LeaseDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LeaseDuration, "The lease duration must be positive.");
        }

        _databasePath = databasePath;
        _options = options;
        _sql = new JobTableSql(options.Prefix);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => "embedded";

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            var store = _store ??= SqliteJobStore.Acquire(_databasePath, _logger);
            _table = await store.WriteAsync(() => store.OpenTable(_sql), wakesTakers: false, cancellationToken);
            _failure = null;
        }
        catch (JobBackendUnavailableException e)
        {
            _failure = e.Message;
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobRecord>> SubmitAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        foreach (var job in jobs)
        {
            ArgumentNullException.ThrowIfNull(job);
            ArgumentException.ThrowIfNullOrEmpty(job.Type);
            ArgumentNullException.ThrowIfNull(job.Payload);
        }

        if (jobs.Count == 0)
        {
            return [];
        }

        var (store, table) = Open();
        return await store.WriteAsync(() => table.Insert(jobs, Now()), wakesTakers: true, cancellationToken);
    }

    /// <inheritdoc />
    public Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open().Store.Read(_sql, reader => reader.Get(id)));
    }

    /// <inheritdoc />
    public Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open().Store.Read(_sql, reader => reader.List(query)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open().Store.Read(_sql, reader => reader.Count()));
    }

    /// <inheritdoc />
    public async Task<JobRecord?> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        var (store, table) = Open();
        return await store.WriteAsync(() => table.Cancel(id, Now()), wakesTakers: false, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobLease>> TakeAsync(string worker, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        var (store, table) = Open();
        if (max <= 0)
        {
            return [];
        }

        max = Math.Min(max, MaxTake);
        var lease = _options.LeaseDuration;
        var started = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _disposed) == 0)
        {
            // Taken before looking, so a submit that commits after the look still wakes this waiter.
            var wake = store.Wake.Next;
            var (leases, nextDue) = await store.WriteAsync(() =>
            {
                var taken = table.Take(worker, max, Now(), lease);
                return (taken, taken.Count == 0 ? table.NextDue() : null);
            }, wakesTakers: false, cancellationToken);
            var remaining = wait - Stopwatch.GetElapsedTime(started);
            if (leases.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return leases;
            }

            var pause = store.SeesOtherProcesses ? WatchedPoll : BlindPoll;
            if (nextDue is { } due)
            {
                pause = TimeSpan.FromTicks(Math.Clamp((due - Now()).Ticks, ShortestPause.Ticks, pause.Ticks));
            }

            await wake.WaitAsync(remaining < pause ? remaining : pause, cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return [];
    }

    /// <inheritdoc />
    public async Task RenewAsync(IReadOnlyList<JobLease> leases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return;
        }

        var (store, table) = Open();
        var duration = _options.LeaseDuration;
        await store.WriteAsync(() => table.Renew(leases, Now(), duration), wakesTakers: false, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ReportAsync(IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return;
        }

        var wakes = false;
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome);
            wakes |= outcome.Kind is OutcomeKind.Retry or OutcomeKind.Release;
        }

        var (store, table) = Open();
        await store.WriteAsync(() => table.Report(outcomes, Now()), wakes, cancellationToken);
    }

    /// <inheritdoc />
    public async Task RecordWorkerAsync(string worker, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        var (store, table) = Open();
        await store.WriteAsync(() => table.RecordWorker(worker, Now()), wakesTakers: false, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkerSeen>> ListWorkersAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open().Store.Read(_sql, reader => reader.Workers(since)));
    }

    /// <inheritdoc />
    public Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (_store is not { } store || _table is null)
        {
            return Task.FromResult<string?>(_failure ?? $"The embedded job database {_databasePath} is not open.");
        }

        try
        {
            store.Read(_sql, reader =>
            {
                reader.Check();
                return true;
            });
            return Task.FromResult<string?>(null);
        }
        catch (Exception e) when (e is JobBackendUnavailableException or ObjectDisposedException)
        {
            return Task.FromResult<string?>(e.Message);
        }
    }

    /// <summary>Lets go of the database; jobs and leases stay in the file (unrenewed leases simply expire).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _store is not { } store)
        {
            return;
        }

        _table = null;
        await store.ReleaseAsync();
    }

    private DateTimeOffset Now() => _options.Clock.GetUtcNow();

    private (SqliteJobStore Store, JobTableWriter Table) Open()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_store is { } store && _table is { } table)
        {
            return (store, table);
        }

        throw _failure is null
            ? new InvalidOperationException("Call InitializeAsync before using the embedded job backend.")
            : new JobBackendUnavailableException(_failure);
    }
}
