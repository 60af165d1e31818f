using System.Diagnostics;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>
/// One AMQP connection of a backend client: a confirming channel for publishing and a consuming channel whose
/// deliveries wait in memory until a take claims them. Unacked deliveries return to the queue when it closes.
/// A message names up to <see cref="MaxIdsPerMessage"/> jobs (the jobs of one group-committed submission); each has a
/// message id of its own, and a delivery is acked once every job it names is settled.
/// </summary>
internal sealed class BrokerSession : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _publisher;
    private readonly IChannel _consumer;
    private readonly QueueNames _queues;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private readonly SemaphoreSlim _consumeGate = new(1, 1);
    private readonly Dictionary<ulong, Held> _unacked = [];
    private readonly Queue<Delivery> _kept = [];
    private readonly HashSet<int> _declaredDelays = [];
    private Timer? _giveBack;
    private Task _givingBack = Task.CompletedTask;
    private int _receiving;
    private ushort _prefetch;
    private bool _consuming;

    private BrokerSession(IConnection connection, IChannel publisher, IChannel consumer, QueueNames queues)
    {
        _connection = connection;
        _publisher = publisher;
        _consumer = consumer;
        _queues = queues;
        _connection.ConnectionShutdownAsync += (_, _) => Closed();
        _consumer.ChannelShutdownAsync += (_, _) => Closed();
        _publisher.ChannelShutdownAsync += (_, _) => Closed();
    }

    /// <summary>Most jobs one message names; a worker hands back what it cannot start of a larger message than it can take.</summary>
    public const int MaxIdsPerMessage = 16;

    /// <summary>
    /// How long a delivery may wait in memory while no take is reading: after that a busy worker gives it back to the
    /// queue and lowers its prefetch, so idle workers get it instead of it waiting for this one's jobs to end.
    /// </summary>
    public static readonly TimeSpan ParkedLimit = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A delivery waiting to be taken: its tag on this session's consuming channel, the jobs it names (an unreadable body
    /// names <see cref="Guid.Empty"/>, which no record has) and its message id (null on messages of older versions).
    /// </summary>
    public sealed record Delivery(ulong Tag, Guid[] JobIds, string? MessageId, bool Redelivered, long ArrivedAt);

    /// <summary>One job of a delivery, for settling.</summary>
    public readonly record struct Job(ulong Tag, Guid Id);

    /// <summary>Distinguishes this connection's delivery tags from any other client's or an earlier connection's.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];

    public bool IsOpen => _connection.IsOpen && _publisher.IsOpen && _consumer.IsOpen;

    public static async Task<BrokerSession> OpenAsync(ConnectionFactory factory, QueueNames queues, CancellationToken cancellationToken)
    {
        var connection = await factory.CreateConnectionAsync(cancellationToken);
        try
        {
            var publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            var consumer = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await publisher.QueueDeclareAsync(queues.Main, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await publisher.QueueDeclareAsync(queues.Legacy, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            return new BrokerSession(connection, publisher, consumer, queues);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Publishes persistent messages naming the jobs (up to <see cref="MaxIdsPerMessage"/> each) and returns once the broker confirmed every one.</summary>
    public Task PublishAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken) =>
        PublishAsync(_queues.Main, ids, cancellationToken);

    /// <summary>Parks the jobs in the retry queue of the given delay, whose expired messages return to the main queue.</summary>
    public async Task PublishDelayedAsync(int delayMs, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var queue = _queues.Delay(delayMs);
        bool declared;
        lock (_declaredDelays)
        {
            declared = _declaredDelays.Contains(delayMs);
        }

        if (!declared)
        {
            await _publishGate.WaitAsync(cancellationToken);
            try
            {
                var arguments = new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = delayMs,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = _queues.Main,
                };
                await _publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
            }
            finally
            {
                _publishGate.Release();
            }

            lock (_declaredDelays)
            {
                _declaredDelays.Add(delayMs);
            }
        }

        await PublishAsync(queue, ids, cancellationToken);
    }

    /// <summary>Starts the consumer on first use and keeps prefetch at the messages holding leases plus twice the batch size.</summary>
    public async Task ConsumeAsync(int batch, CancellationToken cancellationToken)
    {
        int leased;
        lock (_unacked)
        {
            leased = _unacked.Values.Count(h => h.Leased.Count > 0);
        }

        var wanted = (ushort)Math.Clamp(leased + (2 * batch), 2, ushort.MaxValue);
        if (_consuming && wanted <= _prefetch)
        {
            return;
        }

        await _consumeGate.WaitAsync(cancellationToken);
        try
        {
            if (wanted > _prefetch)
            {
                // Channel-wide (global) prefetch can be raised while the consumer runs.
                await _consumer.BasicQosAsync(0, wanted, global: true, cancellationToken);
                _prefetch = wanted;
            }

            if (!_consuming)
            {
                // Messages of earlier versions (one job each, in the legacy queue) may still be queued, or come from servers
                // not yet upgraded.
                foreach (var queue in new[] { _queues.Main, _queues.Legacy })
                {
                    var consumer = new AsyncEventingBasicConsumer(_consumer);
                    consumer.ReceivedAsync += (_, delivery) => Received(delivery);
                    await _consumer.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
                }

                _consuming = true;
                _giveBack = new Timer(_ => GiveBackTick(), null, ParkedLimit / 2, ParkedLimit / 2);
            }
        }
        finally
        {
            _consumeGate.Release();
        }
    }

    /// <summary>
    /// Deliveries naming up to <paramref name="maxJobs"/> jobs, waiting up to <paramref name="wait"/> for the first; empty
    /// when none came. Only the first may name more (it is never left behind); a later one that would overflow stays for
    /// the next take.
    /// </summary>
    public async Task<List<Delivery>> ReceiveAsync(int maxJobs, TimeSpan wait, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _receiving);
        try
        {
            return await ReceiveWhileCountedAsync(maxJobs, wait, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _receiving);
        }
    }

    private async Task<List<Delivery>> ReceiveWhileCountedAsync(int maxJobs, TimeSpan wait, CancellationToken cancellationToken)
    {
        var batch = new List<Delivery>();
        var jobs = 0;
        lock (_kept)
        {
            // Jobs kept by earlier takes come first.
            while (jobs < maxJobs && _kept.Count > 0)
            {
                batch.Add(_kept.Dequeue());
                jobs += batch[^1].JobIds.Length;
            }
        }

        var reader = _deliveries.Reader;
        if (jobs > 0)
        {
            return batch;
        }

        if (!reader.TryPeek(out _))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token))
                {
                    throw new JobBackendUnavailableException("The RabbitMQ connection closed while waiting for jobs.");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return batch;
            }
        }

        while (jobs < maxJobs && reader.TryPeek(out var next) && (jobs == 0 || jobs + next.JobIds.Length <= maxJobs) && reader.TryRead(out var delivery))
        {
            batch.Add(delivery);
            jobs += delivery.JobIds.Length;
        }

        return batch;
    }

    /// <summary>
    /// Keeps jobs a take could not start for the next take of this session. Those of a redelivered message stay (its jobs
    /// that were in progress when it came back may start again only through it); others are handed back if no take
    /// claims them within <see cref="ParkedLimit"/>.
    /// </summary>
    public void Keep(Delivery rest)
    {
        lock (_kept)
        {
            _kept.Enqueue(rest);
        }
    }

    /// <summary>Marks jobs as handed to a worker, so prefetch grows with the messages holding leases.</summary>
    public void Leased(IEnumerable<Job> jobs)
    {
        lock (_unacked)
        {
            foreach (var job in jobs)
            {
                if (_unacked.TryGetValue(job.Tag, out var held))
                {
                    held.Leased.Add(job.Id);
                }
            }
        }
    }

    /// <summary>True while the delivery is unacked on this session (so settling its jobs is valid).</summary>
    public bool Holds(ulong tag)
    {
        lock (_unacked)
        {
            return _unacked.ContainsKey(tag);
        }
    }

    /// <summary>
    /// Queues the jobs again in one new message (confirmed) and settles them in the deliveries that named them, so a job a
    /// worker cannot start now is free for another worker.
    /// </summary>
    public async Task HandBackAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        await PublishAsync(_queues.Main, [.. jobs.Select(j => j.Id)], cancellationToken);
        await SettleAsync(jobs, [], cancellationToken);
    }

    /// <summary>
    /// Settles jobs of deliveries this session still holds (others are ignored): <paramref name="done"/> need nothing more;
    /// <paramref name="requeue"/> go back to the queue (the delivery itself when it names that job alone, else a new
    /// message, confirmed first). A delivery is acked once every job it names is settled; acked tags below the oldest
    /// delivery still held go in one multiple-ack, so a batch that finished in order costs one frame.
    /// </summary>
    public async Task SettleAsync(IReadOnlyList<Job> done, IReadOnlyList<Job> requeue, CancellationToken cancellationToken)
    {
        List<Job> settled = [.. done];
        List<ulong> requeues = [];
        if (requeue.Count > 0)
        {
            List<Job> republish = [];
            lock (_unacked)
            {
                foreach (var job in requeue)
                {
                    if (!_unacked.TryGetValue(job.Tag, out var held))
                    {
                        continue;
                    }

                    if (held.Unsettled.Count == 1 && held.Unsettled.Contains(job.Id))
                    {
                        requeues.Add(job.Tag); // its last unsettled job: the delivery itself goes back
                    }
                    else
                    {
                        republish.Add(job);
                    }
                }
            }

            if (republish.Count > 0)
            {
                // Confirmed before the jobs count as settled, so a crash in between duplicates rather than loses.
                await PublishAsync(_queues.Main, [.. republish.Select(j => j.Id)], cancellationToken);
                settled.AddRange(republish);
            }
        }

        // Decided and sent under one gate, so no other settlement can slip a tag under a multiple-ack decided here.
        await _consumeGate.WaitAsync(cancellationToken);
        try
        {
            List<ulong> acks = [];
            ulong covered = 0;
            lock (_unacked)
            {
                requeues.RemoveAll(tag => !_unacked.Remove(tag));
                foreach (var job in settled)
                {
                    if (!_unacked.TryGetValue(job.Tag, out var held))
                    {
                        continue;
                    }

                    held.Leased.Remove(job.Id);
                    if (held.Unsettled.Remove(job.Id) && held.Unsettled.Count == 0)
                    {
                        _unacked.Remove(job.Tag);
                        acks.Add(job.Tag);
                    }
                }

                acks.Sort();
                var oldestHeld = _unacked.Count == 0 ? ulong.MaxValue : _unacked.Keys.Min();
                var below = acks.FindLastIndex(tag => tag < oldestHeld);
                if (below >= 1)
                {
                    covered = acks[below];
                    acks.RemoveRange(0, below + 1);
                }
            }

            // Requeues go first: a multiple-ack sent after them no longer covers their tags.
            foreach (var tag in requeues)
            {
                await _consumer.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
            }

            if (covered > 0)
            {
                await _consumer.BasicAckAsync(covered, multiple: true, cancellationToken);
            }

            foreach (var tag in acks)
            {
                await _consumer.BasicAckAsync(tag, multiple: false, cancellationToken);
            }
        }
        finally
        {
            _consumeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_giveBack is not null)
        {
            await _giveBack.DisposeAsync();
            await _givingBack;
        }

        _deliveries.Writer.TryComplete();
        try
        {
            await _connection.CloseAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (Unavailability.IsBrokerFailure(e))
        {
            // Already gone; the broker requeues what this connection held either way.
        }

        await _connection.DisposeAsync();
        _publishGate.Dispose();
        _consumeGate.Dispose();
    }

    private async Task PublishAsync(string queue, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        // No lock held while confirms are outstanding: concurrent callers publish on the one channel and each awaits
        // only its own confirms, which the client completes as the broker acknowledges (pipelined confirms).
        var confirms = new Task[(ids.Count + MaxIdsPerMessage - 1) / MaxIdsPerMessage];
        for (var m = 0; m < confirms.Length; m++)
        {
            var count = Math.Min(MaxIdsPerMessage, ids.Count - (m * MaxIdsPerMessage));
            var body = new byte[count * 16];
            for (var i = 0; i < count; i++)
            {
                ids[(m * MaxIdsPerMessage) + i].TryWriteBytes(body.AsSpan(i * 16));
            }

            // A fresh properties object per message: with confirm tracking the client writes its sequence number into the headers.
            var properties = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString("N") };
            confirms[m] = _publisher.BasicPublishAsync("", queue, mandatory: true, properties, body, cancellationToken).AsTask();
        }

        await Task.WhenAll(confirms);
    }

    private Task Received(BasicDeliverEventArgs delivery)
    {
        // An unreadable body names no job (Guid.Empty, which no record has); the take acks it as unknown.
        var body = delivery.Body.Span;
        Guid[] ids;
        if (body.Length > 0 && body.Length % 16 == 0 && body.Length <= MaxIdsPerMessage * 16)
        {
            ids = new Guid[body.Length / 16];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = new Guid(body.Slice(i * 16, 16));
            }
        }
        else
        {
            ids = [Guid.Empty];
        }

        lock (_unacked)
        {
            _unacked[delivery.DeliveryTag] = new Held([.. ids]);
        }

        _deliveries.Writer.TryWrite(new Delivery(delivery.DeliveryTag, ids, delivery.BasicProperties.MessageId, delivery.Redelivered, Stopwatch.GetTimestamp()));
        return Task.CompletedTask;
    }

    private void GiveBackTick()
    {
        lock (_giveBack!)
        {
            if (_givingBack.IsCompleted)
            {
                _givingBack = GiveBackParkedAsync();
            }
        }
    }

    /// <summary>
    /// Gives back deliveries that waited in memory longer than <see cref="ParkedLimit"/> while no take was reading: their
    /// jobs were never started, so the whole message goes back (first the prefetch drops to the messages holding leases,
    /// so the broker does not send them straight back here; the next take raises it again).
    /// </summary>
    private async Task GiveBackParkedAsync()
    {
        if (Volatile.Read(ref _receiving) > 0)
        {
            return;
        }

        List<Job> stale = [];
        lock (_kept)
        {
            for (var i = _kept.Count; i > 0; i--)
            {
                var kept = _kept.Dequeue();
                if (!kept.Redelivered && Stopwatch.GetElapsedTime(kept.ArrivedAt) >= ParkedLimit)
                {
                    stale.AddRange(kept.JobIds.Select(id => new Job(kept.Tag, id)));
                }
                else
                {
                    _kept.Enqueue(kept);
                }
            }
        }

        if (stale.Count > 0)
        {
            try
            {
                await HandBackAsync(stale, CancellationToken.None);
            }
            catch (Exception e) when (Unavailability.IsBrokerFailure(e))
            {
                // Still named by their unacked delivery: when the connection closes the broker requeues them.
            }
        }

        if (!_deliveries.Reader.TryPeek(out var oldest) || Stopwatch.GetElapsedTime(oldest.ArrivedAt) < ParkedLimit || !await _consumeGate.WaitAsync(0))
        {
            return;
        }

        try
        {
            var parked = new List<ulong>();
            while (Volatile.Read(ref _receiving) == 0 && _deliveries.Reader.TryRead(out var delivery))
            {
                parked.Add(delivery.Tag);
            }

            ushort holding;
            lock (_unacked)
            {
                parked.RemoveAll(tag => !_unacked.Remove(tag));
                holding = (ushort)Math.Clamp(_unacked.Values.Count(h => h.Leased.Count > 0), 1, ushort.MaxValue);
            }

            if (holding < _prefetch)
            {
                await _consumer.BasicQosAsync(0, holding, global: true, CancellationToken.None);
                _prefetch = holding;
            }

            foreach (var tag in parked)
            {
                await _consumer.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
            }
        }
        catch (Exception e) when (Unavailability.IsBrokerFailure(e))
        {
            // The connection is going: the broker requeues every delivery it held.
        }
        finally
        {
            _consumeGate.Release();
        }
    }

    private Task Closed()
    {
        _deliveries.Writer.TryComplete();
        return Task.CompletedTask;
    }

    /// <summary>An unacked delivery: the jobs it names not yet settled, and those of them handed to a worker.</summary>
    private sealed record Held(HashSet<Guid> Unsettled)
    {
        public HashSet<Guid> Leased { get; } = [];
    }
}
