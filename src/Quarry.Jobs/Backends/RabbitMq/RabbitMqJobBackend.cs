using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Quarry.Jobs.Model;
using RabbitMQ.Client;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>
/// Jobs queued in RabbitMQ (durable queue, persistent messages, publisher confirms, manual acks) with their records
/// in PostgreSQL. A lease is an unacked delivery: when a client's connection closes (crash or dispose) the broker
/// redelivers its jobs, and the next take starts a new attempt. A live but hung worker keeps its jobs until the
/// broker's consumer timeout closes its channel, so <see cref="RenewAsync"/> has nothing to do.
/// Concurrent submissions are inserted by one statement and published together, up to 16 jobs a message; a take that
/// gets more jobs in a message than it asked for hands the rest back as a new message, so other workers can run them
/// (except from a redelivered message, whose jobs may be in progress under it), and a busy worker gives back deliveries
/// it has not read for 100 ms. A job in progress starts again only through the message it was taken from.
/// If queueing fails after the records were inserted, the records are deleted again and the submit fails.
/// </summary>
internal sealed class RabbitMqJobBackend : IJobBackend
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private readonly JobBackendOptions _options;
    private readonly ConnectionFactory _factory;
    private readonly NpgsqlDataSource _dataSource;
    private readonly JobTable _table;
    private readonly QueueNames _queues;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly GroupCommit<JobTable.Stamped> _submits;
    private BrokerSession? _session;
    private bool _disposed;

    public RabbitMqJobBackend(string amqpUri, string postgresConnectionString, JobBackendOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(amqpUri);
        ArgumentException.ThrowIfNullOrEmpty(postgresConnectionString);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Prefix.Length == 0 || !options.Prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException("The prefix must be ASCII letters, digits, '_', '-' or '.'.", nameof(options));
        }

        _options = options;
        _queues = QueueNames.For(options.Prefix);
        _factory = new ConnectionFactory
        {
            Uri = new Uri(amqpUri),
            // This client reconnects itself, so delivery tags of a dead connection are never mistaken for new ones.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = ConnectTimeout,
            HandshakeContinuationTimeout = TimeSpan.FromSeconds(5),
            ContinuationTimeout = TimeSpan.FromSeconds(10),
            RequestedHeartbeat = TimeSpan.FromSeconds(15),
            ClientProvidedName = $"quarry-jobs {options.Prefix}",
        };
        var database = new NpgsqlConnectionStringBuilder(postgresConnectionString);
        if (database.Timeout == 15)
        {
            // Npgsql's default connect timeout; an outage should answer within a few seconds.
            database.Timeout = (int)ConnectTimeout.TotalSeconds;
        }

        if (database.MaxAutoPrepare == 0)
        {
            // The same few statements run for every job: prepared once per connection, PostgreSQL skips parsing and planning them.
            database.MaxAutoPrepare = 16;
        }

        // The backend keeps no session state, so a pooled connection needs no reset between uses.
        database.NoResetOnClose = true;
        _dataSource = NpgsqlDataSource.Create(database);
        _table = new JobTable(_dataSource, options.Prefix + "_jobs");
        // A group's messages are published while the next group is inserted.
        _submits = new GroupCommit<JobTable.Stamped>(
            jobs => Unavailability.DatabaseAsync(() => _table.InsertAsync(jobs, CancellationToken.None)), e => e is DuplicateJobException, 4096, PublishGroupAsync);
    }

    public string Name => "rabbitmq";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Unavailability.DatabaseAsync(() => _table.CreateAsync(cancellationToken));
        await SessionAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<JobRecord>> SubmitAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return [];
        }

        await SessionAsync(cancellationToken);
        var now = Now();
        // Concurrent submissions share one INSERT and their messages (group commit); durable before this returns.
        await _submits.WriteAsync([.. jobs.Select(j => new JobTable.Stamped(j, now))]);
        return jobs.Select(j => new JobRecord
        {
            Id = j.Id, Type = j.Type, Payload = j.Payload, Status = JobStatus.Submitted, CreatedAt = now, TraceParent = j.TraceParent, TraceState = j.TraceState,
        }).ToArray();
    }

    public Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        Unavailability.DatabaseAsync(() => _table.GetAsync(id, cancellationToken));

    public Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Unavailability.DatabaseAsync(() => _table.ListAsync(query, cancellationToken));
    }

    public Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken) =>
        Unavailability.DatabaseAsync(() => _table.CountAsync(cancellationToken));

    /// <summary>Cancels in PostgreSQL only; the message is dropped when a worker next receives it.</summary>
    public Task<JobRecord?> CancelAsync(Guid id, CancellationToken cancellationToken) =>
        Unavailability.DatabaseAsync(() => _table.CancelAsync(id, Now(), cancellationToken));

    public async Task<IReadOnlyList<JobLease>> TakeAsync(string worker, int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var session = await SessionAsync(cancellationToken);
        await Unavailability.BrokerAsync(() => session.ConsumeAsync(max, cancellationToken));
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var remaining = wait - elapsed.Elapsed;
            var deliveries = await session.ReceiveAsync(max, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken);
            if (deliveries.Count == 0)
            {
                return [];
            }

            var leases = await ClaimAsync(session, worker, max, deliveries, cancellationToken);
            // Every delivery may have named a cancelled or finished job; keep waiting for a runnable one.
            if (leases.Count > 0 || elapsed.Elapsed >= wait)
            {
                return leases;
            }
        }
    }

    /// <summary>Nothing to extend: a lease lasts as long as the connection that holds the delivery.</summary>
    public Task RenewAsync(IReadOnlyList<JobLease> leases, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task ReportAsync(IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return;
        }

        var now = Now();
        var changes = outcomes.Select(o => new JobTable.Change(o.Lease.Id, o.Lease.Attempt, StatusAfter(o.Kind),
            o.Kind == OutcomeKind.Complete ? o.Result : null, o.Kind is OutcomeKind.Retry or OutcomeKind.Fail ? o.Error : null)).ToArray();
        var applied = await Unavailability.DatabaseAsync(() => _table.ReportAsync(changes, now, cancellationToken));

        // Deliveries of a closed connection were already requeued by the broker; only the current one's can be settled.
        var session = _session;
        if (session is not { IsOpen: true })
        {
            return;
        }

        var done = new List<BrokerSession.Job>();
        var requeues = new List<BrokerSession.Job>();
        var delayed = new Dictionary<int, List<BrokerSession.Job>>();
        foreach (var outcome in outcomes)
        {
            if (!TryParseReceipt(outcome.Lease.Receipt, session.Id, out var tag) || !session.Holds(tag))
            {
                continue;
            }

            var job = new BrokerSession.Job(tag, outcome.Lease.Id);
            var bucket = outcome.Kind == OutcomeKind.Retry ? RetryDelay.BucketMs((outcome.NotBefore ?? now) - now) : 0;
            if (!applied.Contains(outcome.Lease.Id) || outcome.Kind is OutcomeKind.Complete or OutcomeKind.Fail)
            {
                done.Add(job);
            }
            else if (bucket == 0)
            {
                requeues.Add(job);
            }
            else
            {
                (delayed.TryGetValue(bucket, out var list) ? list : delayed[bucket] = []).Add(job);
            }
        }

        await Unavailability.BrokerAsync(async () =>
        {
            foreach (var (bucket, jobs) in delayed)
            {
                // The delayed copy is confirmed before the original is settled, so a crash in between duplicates rather than loses.
                await session.PublishDelayedAsync(bucket, [.. jobs.Select(j => j.Id)], cancellationToken);
                done.AddRange(jobs);
            }

            await session.SettleAsync(done, requeues, cancellationToken);
        });
    }

    public Task RecordWorkerAsync(string worker, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        return Unavailability.DatabaseAsync(() => _table.RecordWorkerAsync(worker, Now(), cancellationToken));
    }

    public Task<IReadOnlyList<WorkerSeen>> ListWorkersAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        Unavailability.DatabaseAsync(() => _table.ListWorkersAsync(since, cancellationToken));

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            await Unavailability.DatabaseAsync(() => _table.PingAsync(cancellationToken));
        }
        catch (JobBackendUnavailableException e)
        {
            problems.Add(e.Message);
        }

        try
        {
            await SessionAsync(cancellationToken);
        }
        catch (JobBackendUnavailableException e)
        {
            problems.Add(e.Message);
        }

        return problems.Count == 0 ? null : string.Join(" ", problems);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _submits.DisposeAsync();
        await _connectGate.WaitAsync();
        try
        {
            if (_session is not null)
            {
                await _session.DisposeAsync();
                _session = null;
            }
        }
        finally
        {
            _connectGate.Release();
        }

        await _dataSource.DisposeAsync();
    }

    private async Task<List<JobLease>> ClaimAsync(BrokerSession session, string worker, int max, List<BrokerSession.Delivery> deliveries, CancellationToken cancellationToken)
    {
        // The jobs to start, in delivery order, up to max; a job named by two messages is tried through both, since only
        // the one it was taken from before may start it again (the statement returns which one did).
        var wanted = new List<(BrokerSession.Job Job, string? Holder)>();
        var ids = new HashSet<Guid>();
        var surplus = new List<BrokerSession.Job>();
        var kept = new List<BrokerSession.Delivery>();
        foreach (var delivery in deliveries)
        {
            var rest = new List<Guid>();
            foreach (var id in delivery.JobIds)
            {
                if (ids.Contains(id) || ids.Count < max)
                {
                    ids.Add(id);
                    wanted.Add((new BrokerSession.Job(delivery.Tag, id), delivery.MessageId));
                }
                else
                {
                    rest.Add(id);
                }
            }

            // A job of a redelivered message may be in progress under it (its worker died), and only this message may
            // start it again, so those stay here. Of others, a few (no more than this take asked for) wait for the next
            // take; more go back at once for any worker (a worker running one job at a time keeps none).
            if (delivery.Redelivered || (rest.Count > 0 && rest.Count <= max))
            {
                kept.Add(delivery with { JobIds = [.. rest], ArrivedAt = Stopwatch.GetTimestamp() });
            }
            else
            {
                surplus.AddRange(rest.Select(id => new BrokerSession.Job(delivery.Tag, id)));
            }
        }

        Dictionary<Guid, JobTable.Taken> taken;
        try
        {
            taken = await _table.TakeAsync([.. wanted.Select(w => w.Job.Id)], [.. wanted.Select(w => w.Holder)], worker, Now(), cancellationToken);
        }
        catch (Exception e) when (Unavailability.IsDatabaseFailure(e) || e is OperationCanceledException)
        {
            // Nothing was claimed: the next take of this session tries the same deliveries again.
            deliveries.ForEach(session.Keep);
            throw e is OperationCanceledException ? e : Unavailability.Database(e);
        }

        kept.Where(k => k.JobIds.Length > 0).ToList().ForEach(session.Keep);

        var leases = new List<JobLease>(taken.Count);
        var leased = new List<BrokerSession.Job>(taken.Count);
        var dropped = new List<BrokerSession.Job>();
        foreach (var (job, holder) in wanted)
        {
            if (taken.TryGetValue(job.Id, out var record) && record.Holder == holder && taken.Remove(job.Id))
            {
                leases.Add(new JobLease(job.Id, record.Type, record.Payload, record.Attempts, $"{session.Id}:{job.Tag.ToString(CultureInfo.InvariantCulture)}")
                {
                    SubmittedAt = record.CreatedAt,
                    TraceParent = record.TraceParent,
                    TraceState = record.TraceState,
                });
                leased.Add(job);
            }
            else
            {
                dropped.Add(job);
            }
        }

        session.Leased(leased);
        // Cancelled, finished, unknown or repeated jobs leave the queue; if the ack is lost they come back and are dropped again.
        await SettleQuietlyAsync(session, dropped, []);
        if (surplus.Count > 0)
        {
            // What this take cannot start goes back for any worker, without holding up the jobs it did start.
            _ = HandBackQuietlyAsync(session, surplus);
        }

        return leases;
    }

    private static async Task SettleQuietlyAsync(BrokerSession session, IReadOnlyList<BrokerSession.Job> done, IReadOnlyList<BrokerSession.Job> requeue)
    {
        try
        {
            await session.SettleAsync(done, requeue, CancellationToken.None);
        }
        catch (Exception e) when (Unavailability.IsBrokerFailure(e))
        {
            // The connection is gone, and with it every delivery it held: the broker requeues them.
        }
    }

    private static async Task HandBackQuietlyAsync(BrokerSession session, IReadOnlyList<BrokerSession.Job> jobs)
    {
        try
        {
            await session.HandBackAsync(jobs, CancellationToken.None);
        }
        catch (Exception e) when (Unavailability.IsBrokerFailure(e))
        {
            // Still named by their unacked delivery: when the connection closes the broker requeues them.
        }
    }

    private async Task PublishGroupAsync(IReadOnlyList<JobTable.Stamped> jobs)
    {
        var ids = jobs.Select(j => j.Job.Id).ToArray();
        try
        {
            var session = await SessionAsync(CancellationToken.None);
            await session.PublishAsync(ids, CancellationToken.None);
        }
        catch (Exception e) when (Unavailability.IsBrokerFailure(e) || e is JobBackendUnavailableException)
        {
            await ForgetAsync(ids);
            throw e as JobBackendUnavailableException ?? Unavailability.Broker(e);
        }
    }

    private async Task ForgetAsync(Guid[] ids)
    {
        try
        {
            await _table.DeleteUnstartedAsync(ids, CancellationToken.None);
        }
        catch (Exception e) when (Unavailability.IsDatabaseFailure(e))
        {
            // Both engines failing at once leaves submitted records with no message; the caller still sees the failure.
        }
    }

    private async Task<BrokerSession> SessionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_session is { IsOpen: true } open)
        {
            return open;
        }

        await _connectGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { IsOpen: true } current)
            {
                return current;
            }

            if (_session is not null)
            {
                await _session.DisposeAsync();
                _session = null;
            }

            try
            {
                _session = await BrokerSession.OpenAsync(_factory, _queues, cancellationToken);
            }
            catch (Exception e) when (Unavailability.IsBrokerFailure(e))
            {
                throw Unavailability.Broker(e);
            }

            return _session;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private static bool TryParseReceipt(string receipt, string sessionId, out ulong tag)
    {
        tag = 0;
        return receipt.Length > sessionId.Length + 1
            && receipt.StartsWith(sessionId, StringComparison.Ordinal)
            && receipt[sessionId.Length] == ':'
            && ulong.TryParse(receipt.AsSpan(sessionId.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out tag);
    }

    private static string StatusAfter(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Complete => JobStatus.Complete,
        OutcomeKind.Fail => JobStatus.Failed,
        OutcomeKind.Retry or OutcomeKind.Release => JobStatus.Submitted,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown outcome."),
    };

    /// <summary>The clock's time at PostgreSQL's microsecond precision, so returned records equal stored ones.</summary>
    private DateTimeOffset Now()
    {
        var now = _options.Clock.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }
}
