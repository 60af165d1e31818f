using System.Globalization;
using System.Text.Json;
using Quarry.Jobs.Model;
using StackExchange.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>
/// Jobs in Redis: one hash per job record, a stream with a consumer group as the reliable queue (entries of dead
/// workers are reclaimed after the lease), a sorted set of delayed retries and a sorted set indexing submissions.
/// All commands share one multiplexed connection and none of them blocks: an idle taker raises a flag and waits
/// for a pub/sub wake-up that the next submission publishes, or for a bounded poll.
/// </summary>
internal sealed class RedisJobBackend : IJobBackend
{
    private const string Group = "workers";

    // How long a silent worker stays in the heartbeat set.
    private static readonly TimeSpan ForgetWorkersAfter = TimeSpan.FromDays(1);

    // Index entries one list call may examine when a status filter skips most of them.
    private const int ListScanBudget = 1000;

    // Most jobs of concurrent submissions written by one script call (a single larger submission is written whole).
    private const int MaxSubmitGroup = 1024;

    private static readonly RedisScript SubmitScript = new(RedisJobScripts.Submit);
    private static readonly RedisScript TakeScript = new(RedisJobScripts.Take);
    private static readonly RedisScript RenewScript = new(RedisJobScripts.Renew);
    private static readonly RedisScript ReportScript = new(RedisJobScripts.Report);
    private static readonly RedisScript CancelScript = new(RedisJobScripts.Cancel);
    private static readonly RedisScript ListScript = new(RedisJobScripts.List);
    private static readonly RedisScript CountScript = new(RedisJobScripts.Count);
    private static readonly RedisScript[] Scripts = [SubmitScript, TakeScript, RenewScript, ReportScript, CancelScript, ListScript, CountScript];

    private readonly ConfigurationOptions _configuration;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly TimeProvider _clock;
    private readonly long _leaseMilliseconds;
    private readonly TimeSpan _pollInterval;
    private readonly RedisKey _stream;
    private readonly RedisKey _delayed;
    private readonly RedisKey _index;
    private readonly RedisKey _sequence;
    private readonly RedisKey _claimCursor;
    private readonly RedisKey _counts;
    private readonly RedisKey _sleepers;
    private readonly RedisKey _workers;
    private readonly string _wakeChannel;
    private readonly string _jobPrefix;
    private readonly GroupCommit<Stamped> _submits;
    private ConnectionMultiplexer? _connection;
    private TaskCompletionSource _wake = NewWake();
    private volatile bool _subscribed;

    public RedisJobBackend(ConfigurationOptions configuration, JobBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Prefix, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.LeaseDuration, TimeSpan.Zero, nameof(options));
        _configuration = configuration.Clone();
        _clock = options.Clock;
        _leaseMilliseconds = Math.Max(1, (long)options.LeaseDuration.TotalMilliseconds);

        // Idle takers poll this often even without a wake-up, to reclaim expired leases and promote due retries.
        _pollInterval = TimeSpan.FromTicks(Math.Clamp(options.LeaseDuration.Ticks / 2, TimeSpan.TicksPerMillisecond * 20, TimeSpan.TicksPerSecond));
        var prefix = options.Prefix;
        _stream = prefix + ":jobs";
        _delayed = prefix + ":delayed";
        _index = prefix + ":index";
        _sequence = prefix + ":seq";
        _claimCursor = prefix + ":claim-cursor";
        _counts = prefix + ":counts";
        _sleepers = prefix + ":sleepers";
        _workers = prefix + ":workers";
        _wakeChannel = prefix + ":wake";
        _jobPrefix = prefix + ":job:";
        _submits = new GroupCommit<Stamped>(WriteSubmitsAsync, error => error is DuplicateJobException, MaxSubmitGroup);
    }

    /// <summary>Creates the backend from a connection string (see <see cref="RedisConnectionString"/>).</summary>
    public RedisJobBackend(string connectionString, JobBackendOptions options, string? caCertificatePath = null)
        : this(RedisConnectionString.Parse(connectionString, caCertificatePath), options)
    {
    }

    public string Name => "redis";

    /// <summary>The key of a job's hash.</summary>
    internal string JobKey(Guid id) => _jobPrefix + id.ToString("D");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Loading every script up front saves the first calls from sending their bodies.
            foreach (var server in _connection!.GetServers())
            {
                if (server.IsConnected && !server.IsReplica)
                {
                    await Task.WhenAll(Scripts.Select(s => server.ScriptLoadAsync(s.Body))).ConfigureAwait(false);
                }
            }

            await database.PingAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    public async Task<IReadOnlyList<JobRecord>> SubmitAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return [];
        }

        var now = _clock.GetUtcNow();
        var created = RedisJobHash.FormatTime(now);
        var stamped = new Stamped[jobs.Count];
        var records = new JobRecord[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            ArgumentNullException.ThrowIfNull(job, nameof(jobs));
            ArgumentNullException.ThrowIfNull(job.Type, nameof(jobs));
            ArgumentNullException.ThrowIfNull(job.Payload, nameof(jobs));
            var (start, end) = StartAndEnd(job);
            stamped[i] = new Stamped(job, created, start, end);
            records[i] = new JobRecord
            {
                Id = job.Id, Type = job.Type, Status = JobStatus.Submitted, Payload = job.Payload, CreatedAt = now,
                TraceParent = job.TraceParent, TraceState = job.TraceState,
            };
        }

        // Concurrent submissions share one script call (group commit); each returns once the call holding its jobs ran.
        await _submits.WriteAsync(stamped).WaitAsync(cancellationToken).ConfigureAwait(false);
        return records;
    }

    /// <summary>Stores and queues a group of jobs in one script call: all of them, or none when an id is repeated.</summary>
    private async Task WriteSubmitsAsync(IReadOnlyList<Stamped> jobs)
    {
        var args = new RedisValue[3 + (9 * jobs.Count)];
        (args[0], args[1], args[2]) = (_jobPrefix, Group, _wakeChannel);
        for (var i = 0; i < jobs.Count; i++)
        {
            var (job, created, start, end) = jobs[i];
            var at = 3 + (9 * i);
            (args[at], args[at + 1], args[at + 2], args[at + 3]) = (job.Id.ToString("D"), job.Type, job.Payload, created);
            (args[at + 4], args[at + 5], args[at + 6]) = (start is null ? "0" : "1", start ?? string.Empty, end ?? string.Empty);
            (args[at + 7], args[at + 8]) = (job.TraceParent ?? string.Empty, job.TraceState ?? string.Empty);
        }

        var reply = await RunAsync(SubmitScript, [_stream, _index, _sequence, _counts, _sleepers], args, CancellationToken.None).ConfigureAwait(false);
        if (!reply.IsNull)
        {
            throw new DuplicateJobException(Guid.Parse((string)reply!));
        }
    }

    /// <summary>A job to submit with its creation time and, for range jobs, its start and end as the record keeps them.</summary>
    private readonly record struct Stamped(NewJob Job, string Created, string? Start, string? End);

    public async Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return RedisJobHash.Parse(await database.HashGetAllAsync(JobKey(id)).WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 500, nameof(query));
        if (query.Status is { } status && !JobStatus.All.Contains(status))
        {
            throw new ArgumentException($"'{status}' is not a job status.", nameof(query));
        }

        var cursor = query.Cursor;
        if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"'{cursor}' is not a cursor from a previous page.", nameof(query));
        }

        var jobs = new List<JobRecord>(query.Limit);
        do
        {
            RedisValue[] args = [_jobPrefix, cursor is null ? "+inf" : "(" + cursor, query.Limit - jobs.Count, query.Status ?? string.Empty, ListScanBudget];
            var items = (RedisResult[])(await RunAsync(ListScript, [_index], args, cancellationToken).ConfigureAwait(false))!;
            cursor = items[0].IsNull ? null : (string?)items[0];
            for (var i = 1; i < items.Length; i++)
            {
                if (RedisJobHash.Parse(items[i]) is { } record)
                {
                    jobs.Add(record);
                }
            }
        }
        while (jobs.Count < query.Limit && cursor is not null);

        return new JobPage(jobs, cursor);
    }

    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        var items = (RedisResult[])(await RunAsync(CountScript, [_counts, _index], [_jobPrefix], cancellationToken).ConfigureAwait(false))!;
        var counts = JobStatus.All.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            counts[(string)items[i]!] = (long)items[i + 1];
        }

        return counts;
    }

    public async Task<JobRecord?> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        RedisValue[] args = [_jobPrefix, Group, id.ToString("D"), RedisJobHash.FormatTime(_clock.GetUtcNow())];
        return RedisJobHash.Parse(await RunAsync(CancelScript, [_stream, _delayed, _counts, _index], args, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<JobLease>> TakeAsync(string worker, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await SubscribeAsync(cancellationToken).ConfigureAwait(false);
        var started = _clock.GetTimestamp();
        while (true)
        {
            // Taken before the script runs, so a wake-up published after it raised the flag is never missed.
            var woken = Volatile.Read(ref _wake).Task;
            var (leases, dueIn) = await TakeRunnableAsync(worker, max, cancellationToken).ConfigureAwait(false);
            var remaining = wait - _clock.GetElapsedTime(started);
            if (leases.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return leases;
            }

            var slice = remaining < _pollInterval ? remaining : _pollInterval;
            if (dueIn >= 0 && TimeSpan.FromMilliseconds(dueIn) < slice)
            {
                slice = TimeSpan.FromMilliseconds(dueIn);
            }

            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var poll = Task.Delay(slice, _clock, stopWaiting.Token);
            await Task.WhenAny(woken, poll).ConfigureAwait(false);
            await stopWaiting.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task RenewAsync(IReadOnlyList<JobLease> leases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return;
        }

        var args = new RedisValue[2 + (3 * leases.Count)];
        (args[0], args[1]) = (_jobPrefix, Group);
        for (var i = 0; i < leases.Count; i++)
        {
            var lease = leases[i];
            var at = 2 + (3 * i);
            (args[at], args[at + 1], args[at + 2]) = (lease.Id.ToString("D"), lease.Attempt, lease.Receipt);
        }

        await RunAsync(RenewScript, [_stream], args, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReportAsync(IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        var args = new RedisValue[5 + (7 * outcomes.Count)];
        (args[0], args[1], args[2], args[3], args[4]) = (_jobPrefix, Group, RedisJobHash.FormatTime(now), now.ToUnixTimeMilliseconds(), _wakeChannel);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var (kind, text) = outcome.Kind switch
            {
                OutcomeKind.Complete => ("complete", outcome.Result),
                OutcomeKind.Fail => ("fail", outcome.Error),
                OutcomeKind.Retry => ("retry", outcome.Error),
                OutcomeKind.Release => ("release", null),
                _ => throw new ArgumentOutOfRangeException(nameof(outcomes), outcome.Kind, "Unknown outcome kind."),
            };
            var at = 5 + (7 * i);
            (args[at], args[at + 1], args[at + 2]) = (outcome.Lease.Id.ToString("D"), outcome.Lease.Attempt, outcome.Lease.Receipt);
            (args[at + 3], args[at + 4], args[at + 5]) = (kind, text is null ? 0 : 1, text ?? string.Empty);
            args[at + 6] = outcome.NotBefore?.ToUnixTimeMilliseconds() ?? 0;
        }

        await RunAsync(ReportScript, [_stream, _delayed, _counts, _index, _sleepers], args, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordWorkerAsync(string worker, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = database.CreateTransaction();
            _ = transaction.SortedSetAddAsync(_workers, worker, now);
            _ = transaction.SortedSetRemoveRangeByScoreAsync(_workers, double.NegativeInfinity, now - ForgetWorkersAfter.TotalMilliseconds, Exclude.Stop);
            await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    public async Task<IReadOnlyList<WorkerSeen>> ListWorkersAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entries = await database.SortedSetRangeByScoreWithScoresAsync(_workers, since.ToUnixTimeMilliseconds(), double.PositiveInfinity,
                order: Order.Descending, take: 1000).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. entries.Select(e => new WorkerSeen((string)e.Element!, DateTimeOffset.FromUnixTimeMilliseconds((long)e.Score)))];
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
            await database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception error) when (error is JobBackendUnavailableException or RedisException)
        {
            return $"Redis is unavailable: {error.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _submits.DisposeAsync().ConfigureAwait(false);
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _wake.TrySetResult();
        _connecting.Dispose();
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool IsUnavailable(Exception error) =>
        error is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (error is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("BUSY", StringComparison.Ordinal) || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)));

    private static JobBackendUnavailableException Unavailable(Exception error) =>
        new($"The Redis job backend is unavailable: {error.Message}", error);

    /// <summary>The original job's start and end as the original stored them (text as is, other values as JSON), for range jobs.</summary>
    private static (string? Start, string? End) StartAndEnd(NewJob job)
    {
        if (job.Type != "range")
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(job.Payload);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("start", out var start) && root.TryGetProperty("end", out var end)
                ? (Flat(start), Flat(end))
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string Flat(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    private async ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        var connection = Volatile.Read(ref _connection) ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return connection.GetDatabase();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } existing)
            {
                return existing;
            }

            // The client reconnects by itself afterwards; only a first connection that cannot even start is retried here.
            var connection = await ConnectionMultiplexer.ConnectAsync(_configuration.Clone()).WaitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            throw Unavailable(error);
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        if (_subscribed)
        {
            return;
        }

        var connection = Volatile.Read(ref _connection) ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(_wakeChannel), (_, _) => Interlocked.Exchange(ref _wake, NewWake()).TrySetResult())
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            _subscribed = true;
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
        catch (RedisServerException)
        {
            // Refused (an ACL user without the channel): idle takers then find work by polling alone.
            _subscribed = true;
        }
    }

    private async Task<RedisResult> RunAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await script.RunAsync(database, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    /// <summary>Promotes due retries, reclaims expired leases and takes new entries, all in one script.</summary>
    private async Task<(IReadOnlyList<JobLease> Leases, long DueIn)> TakeRunnableAsync(string worker, int max, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        RedisValue[] args =
        [
            _jobPrefix, Group, worker, max, RedisJobHash.FormatTime(now), now.ToUnixTimeMilliseconds(), _leaseMilliseconds,
            (long)(_pollInterval.TotalMilliseconds * 2),
        ];
        var items = (RedisResult[])(await RunAsync(TakeScript, [_stream, _delayed, _claimCursor, _counts, _index, _sleepers], args, cancellationToken)
            .ConfigureAwait(false))!;
        if (items.Length == 1)
        {
            return ([], (long)items[0]);
        }

        var leases = new JobLease[(items.Length - 1) / 8];
        for (var i = 0; i < leases.Length; i++)
        {
            var at = 1 + (8 * i);
            var text = (string?)items[at];
            if (!Guid.TryParse(text, out var id))
            {
                throw new InvalidOperationException($"The queue holds an entry for '{text}', which is not a job id.");
            }

            leases[i] = new JobLease(id, (string)items[at + 1]!, (string)items[at + 2]!, (int)items[at + 3], (string)items[at + 4]!)
            {
                SubmittedAt = RedisJobHash.ParseTime((string?)items[at + 5]),
                TraceParent = NullIfEmpty((string?)items[at + 6]),
                TraceState = NullIfEmpty((string?)items[at + 7]),
            };
        }

        return (leases, -1);
    }
}
