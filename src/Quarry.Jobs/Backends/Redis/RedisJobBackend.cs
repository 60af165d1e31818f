using System.Buffers.Text;
using System.Globalization;
using Quarry.Jobs.Model;
using Quarry.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>
/// Jobs in Redis: one hash per job record, a stream with a consumer group as the reliable queue (entries of dead
/// workers are reclaimed after the lease), a sorted set of delayed retries and a sorted set indexing submissions.
/// </summary>
public sealed class RedisJobBackend : IJobBackend
{
    private const string Group = "workers";

    // Index entries one list call may examine when a status filter skips most of them.
    private const int ListScanBudget = 1000;

    private static readonly RedisScript SubmitScript = new(RedisJobScripts.Submit);
    private static readonly RedisScript TakeScript = new(RedisJobScripts.Take);
    private static readonly RedisScript RenewScript = new(RedisJobScripts.Renew);
    private static readonly RedisScript ReportScript = new(RedisJobScripts.Report);
    private static readonly RedisScript CancelScript = new(RedisJobScripts.Cancel);
    private static readonly RedisScript ListScript = new(RedisJobScripts.List);
    private static readonly RedisScript CountScript = new(RedisJobScripts.Count);
    private static readonly RedisScript[] Scripts = [SubmitScript, TakeScript, RenewScript, ReportScript, CancelScript, ListScript, CountScript];

    private readonly RedisClient _redis;
    private readonly RedisBlockingClients _blocking;
    private readonly TimeProvider _clock;
    private readonly long _leaseMilliseconds;
    private readonly TimeSpan _pollInterval;
    private readonly string _stream;
    private readonly string _delayed;
    private readonly string _index;
    private readonly string _sequence;
    private readonly string _claimCursor;
    private readonly string _counts;
    private readonly string _jobPrefix;

    public RedisJobBackend(RedisOptions redis, JobBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Prefix, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.LeaseDuration, TimeSpan.Zero, nameof(options));
        _redis = new RedisClient(redis);
        _blocking = new RedisBlockingClients(_redis);
        _clock = options.Clock;
        _leaseMilliseconds = Math.Max(1, (long)options.LeaseDuration.TotalMilliseconds);

        // Idle takers wake this often to reclaim expired leases and promote due retries.
        _pollInterval = TimeSpan.FromTicks(Math.Clamp(options.LeaseDuration.Ticks / 2, TimeSpan.TicksPerMillisecond * 20, TimeSpan.TicksPerSecond));
        var prefix = options.Prefix;
        _stream = prefix + ":jobs";
        _delayed = prefix + ":delayed";
        _index = prefix + ":index";
        _sequence = prefix + ":seq";
        _claimCursor = prefix + ":claim-cursor";
        _counts = prefix + ":counts";
        _jobPrefix = prefix + ":job:";
    }

    /// <summary>Creates the backend from a <c>redis://</c> connection string.</summary>
    public RedisJobBackend(string connectionString, JobBackendOptions options)
        : this(RedisOptions.Parse(connectionString), options)
    {
    }

    public string Name => "redis";

    /// <summary>The key of a job's hash.</summary>
    internal string JobKey(Guid id) => _jobPrefix + id.ToString("D");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureGroupAsync(cancellationToken).ConfigureAwait(false);
            var batch = _redis.CreateBatch();
            foreach (var script in Scripts)
            {
                _ = batch.Add("SCRIPT", "LOAD", script.Body);
            }

            await batch.ExecuteAsync(cancellationToken).ConfigureAwait(false);
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
        var args = RedisScript.Arguments(4, 3 + (3 * jobs.Count));
        (args[2], args[3], args[4], args[5]) = (_stream, _index, _sequence, _counts);
        (args[6], args[7], args[8]) = (_jobPrefix, Group, RedisJobHash.FormatTime(now));
        var records = new JobRecord[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            ArgumentNullException.ThrowIfNull(job, nameof(jobs));
            ArgumentNullException.ThrowIfNull(job.Type, nameof(jobs));
            ArgumentNullException.ThrowIfNull(job.Payload, nameof(jobs));
            var at = 9 + (3 * i);
            (args[at], args[at + 1], args[at + 2]) = (job.Id.ToString("D"), job.Type, job.Payload);
            records[i] = new JobRecord { Id = job.Id, Type = job.Type, Status = JobStatus.Submitted, Payload = job.Payload, CreatedAt = now };
        }

        var reply = await RunAsync(SubmitScript, args, cancellationToken).ConfigureAwait(false);
        return reply.IsNull ? records : throw new DuplicateJobException(Guid.Parse(reply.AsString()!));
    }

    public async Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _redis.ExecuteAsync("HGETALL", [JobKey(id)], cancellationToken).ConfigureAwait(false);
            return RedisJobHash.Parse(reply);
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
            var args = RedisScript.Arguments(1, 5);
            args[2] = _index;
            (args[3], args[4], args[5]) = (_jobPrefix, cursor is null ? "+inf" : "(" + cursor, query.Limit - jobs.Count);
            (args[6], args[7]) = (query.Status ?? string.Empty, ListScanBudget);
            var items = (await RunAsync(ListScript, args, cancellationToken).ConfigureAwait(false)).AsArray()!;
            cursor = items[0].AsString();
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
        var args = RedisScript.Arguments(2, 1);
        (args[2], args[3], args[4]) = (_counts, _index, _jobPrefix);
        var items = (await RunAsync(CountScript, args, cancellationToken).ConfigureAwait(false)).AsArray()!;
        var counts = JobStatus.All.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            counts[items[i].AsString()!] = long.Parse(items[i + 1].AsString()!, CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public async Task<JobRecord?> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        var args = RedisScript.Arguments(4, 4);
        (args[2], args[3], args[4], args[5]) = (_stream, _delayed, _counts, _index);
        (args[6], args[7], args[8], args[9]) = (_jobPrefix, Group, id.ToString("D"), RedisJobHash.FormatTime(_clock.GetUtcNow()));
        return RedisJobHash.Parse(await RunAsync(CancelScript, args, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<JobLease>> TakeAsync(string worker, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var started = _clock.GetTimestamp();
        RedisArg[]? delivered = null;
        while (true)
        {
            var (leases, dueIn) = await TakeRunnableAsync(worker, max, delivered, cancellationToken).ConfigureAwait(false);
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

            delivered = await ReadNewAsync(worker, max, slice, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RenewAsync(IReadOnlyList<JobLease> leases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return;
        }

        var args = RedisScript.Arguments(1, 2 + (3 * leases.Count));
        (args[2], args[3], args[4]) = (_stream, _jobPrefix, Group);
        for (var i = 0; i < leases.Count; i++)
        {
            var lease = leases[i];
            var at = 5 + (3 * i);
            (args[at], args[at + 1], args[at + 2]) = (lease.Id.ToString("D"), lease.Attempt, lease.Receipt);
        }

        await RunAsync(RenewScript, args, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReportAsync(IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        var args = RedisScript.Arguments(4, 4 + (7 * outcomes.Count));
        (args[2], args[3], args[4], args[5]) = (_stream, _delayed, _counts, _index);
        (args[6], args[7], args[8], args[9]) = (_jobPrefix, Group, RedisJobHash.FormatTime(now), now.ToUnixTimeMilliseconds());
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
            var at = 10 + (7 * i);
            (args[at], args[at + 1], args[at + 2]) = (outcome.Lease.Id.ToString("D"), outcome.Lease.Attempt, outcome.Lease.Receipt);
            (args[at + 3], args[at + 4], args[at + 5]) = (kind, text is null ? 0 : 1, text ?? string.Empty);
            args[at + 6] = outcome.NotBefore?.ToUnixTimeMilliseconds() ?? 0;
        }

        await RunAsync(ReportScript, args, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _redis.ExecuteAsync("PING", [], cancellationToken).ConfigureAwait(false);
            return reply.AsString() == "PONG" ? null : $"Redis answered PING with '{reply}'.";
        }
        catch (Exception error) when (error is RedisException)
        {
            return $"Redis is unavailable: {error.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _blocking.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }

    private static bool IsUnavailable(Exception error) =>
        error is RedisConnectionException or RedisTimeoutException
        || error is RedisServerException { ErrorCode: "LOADING" or "BUSY" or "MASTERDOWN" };

    private static JobBackendUnavailableException Unavailable(Exception error) =>
        new($"The Redis job backend is unavailable: {error.Message}", error);

    private async Task<RedisReply> RunAsync(RedisScript script, RedisArg[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await script.RunAsync(_redis, args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    private async Task EnsureGroupAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _redis.ExecuteAsync("XGROUP", ["CREATE", _stream, Group, "0", "MKSTREAM"], cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.ErrorCode == "BUSYGROUP")
        {
            // Created before, by this or another client.
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
    }

    /// <summary>Marks entries already delivered to the worker, promotes due retries, reclaims expired leases and reads new entries.</summary>
    private async Task<(IReadOnlyList<JobLease> Leases, long DueIn)> TakeRunnableAsync(string worker, int max, RedisArg[]? delivered, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var extra = delivered?.Length ?? 0;
        var args = RedisScript.Arguments(5, 7 + extra);
        (args[2], args[3], args[4], args[5], args[6]) = (_stream, _delayed, _claimCursor, _counts, _index);
        (args[7], args[8], args[9], args[10]) = (_jobPrefix, Group, worker, max);
        (args[11], args[12], args[13]) = (RedisJobHash.FormatTime(now), now.ToUnixTimeMilliseconds(), _leaseMilliseconds);
        delivered?.CopyTo(args, 14);
        var items = (await RunAsync(TakeScript, args, cancellationToken).ConfigureAwait(false)).AsArray()!;
        if (items.Length == 1)
        {
            return ([], items[0].AsInt64());
        }

        var leases = new JobLease[(items.Length - 1) / 5];
        for (var i = 0; i < leases.Length; i++)
        {
            var at = 1 + (5 * i);
            if (!Utf8Parser.TryParse(items[at].AsBytes(), out Guid id, out _))
            {
                throw new InvalidOperationException($"The queue holds an entry for '{items[at]}', which is not a job id.");
            }

            leases[i] = new JobLease(id, items[at + 1].AsString()!, items[at + 2].AsString()!, (int)items[at + 3].AsInt64(), items[at + 4].AsString()!);
        }

        return (leases, -1);
    }

    /// <summary>Waits on a dedicated connection for new entries; returns entry id and job id pairs, or null when none came.</summary>
    private async Task<RedisArg[]?> ReadNewAsync(string worker, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var blockMilliseconds = Math.Max(1, (long)Math.Ceiling(wait.TotalMilliseconds));
        var timeout = _redis.CommandTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : _redis.CommandTimeout + TimeSpan.FromMilliseconds(blockMilliseconds);
        RedisClient client;
        try
        {
            client = await _blocking.RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }

        var healthy = false;
        try
        {
            var reply = await client.ExecuteAsync(
                "XREADGROUP", ["GROUP", Group, worker, "COUNT", max, "BLOCK", blockMilliseconds, "STREAMS", _stream, ">"], timeout, cancellationToken)
                .ConfigureAwait(false);
            healthy = true;
            if (reply.AsArray() is not [var stream, ..] || stream.AsArray() is not [_, var entriesReply] || entriesReply.AsArray() is not { Length: > 0 } entries)
            {
                return null;
            }

            var pairs = new RedisArg[2 * entries.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i].AsArray()!;
                pairs[2 * i] = entry[0].AsBytes()!;
                pairs[(2 * i) + 1] = entry[1].AsArray() is [_, var id, ..] ? id.AsBytes()! : [];
            }

            return pairs;
        }
        catch (RedisServerException error) when (error.ErrorCode == "NOGROUP")
        {
            // The server lost the stream (a restart without persistence); recreate it and let the caller retry.
            healthy = true;
            await EnsureGroupAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            throw Unavailable(error);
        }
        finally
        {
            await _blocking.ReturnAsync(client, healthy).ConfigureAwait(false);
        }
    }
}
