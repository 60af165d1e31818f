using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>
/// One AMQP connection of a backend client: a confirming channel for publishing and a consuming channel whose
/// deliveries wait in memory until a take claims them. Unacked deliveries return to the queue when it closes.
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
    private readonly HashSet<ulong> _unacked = [];
    private readonly HashSet<ulong> _leased = [];
    private readonly HashSet<int> _declaredDelays = [];
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

    /// <summary>A delivery waiting to be taken: its tag on this session's consuming channel and the job it names.</summary>
    public readonly record struct Delivery(ulong Tag, Guid JobId);

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
            return new BrokerSession(connection, publisher, consumer, queues);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Publishes persistent messages naming the jobs and returns once the broker confirmed every one.</summary>
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

    /// <summary>Starts the consumer on first use and keeps prefetch at the leases held plus twice the batch size.</summary>
    public async Task ConsumeAsync(int batch, CancellationToken cancellationToken)
    {
        int leased;
        lock (_unacked)
        {
            leased = _leased.Count;
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
                var consumer = new AsyncEventingBasicConsumer(_consumer);
                consumer.ReceivedAsync += (_, delivery) => Received(delivery);
                await _consumer.BasicConsumeAsync(_queues.Main, autoAck: false, consumer, cancellationToken);
                _consuming = true;
            }
        }
        finally
        {
            _consumeGate.Release();
        }
    }

    /// <summary>Up to <paramref name="max"/> deliveries, waiting up to <paramref name="wait"/> for the first; empty when none came.</summary>
    public async Task<List<Delivery>> ReceiveAsync(int max, TimeSpan wait, CancellationToken cancellationToken)
    {
        var batch = new List<Delivery>(Math.Min(max, 256));
        var reader = _deliveries.Reader;
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

        while (batch.Count < max && reader.TryRead(out var delivery))
        {
            batch.Add(delivery);
        }

        return batch;
    }

    /// <summary>Marks deliveries as handed to a worker, so prefetch grows with the leases held.</summary>
    public void Leased(IEnumerable<ulong> tags)
    {
        lock (_unacked)
        {
            _leased.UnionWith(tags);
        }
    }

    /// <summary>True while the delivery is unacked on this session (so settling it is valid).</summary>
    public bool Holds(ulong tag)
    {
        lock (_unacked)
        {
            return _unacked.Contains(tag);
        }
    }

    /// <summary>
    /// Acks (removes from the queue) and requeues deliveries this session still holds; others are ignored. Acked tags below
    /// the oldest delivery still held go in one multiple-ack, so a batch that finished in order costs one frame.
    /// </summary>
    public async Task SettleAsync(IEnumerable<ulong> ack, IEnumerable<ulong> requeue, CancellationToken cancellationToken)
    {
        // Decided and sent under one gate, so no other settlement can slip a tag under a multiple-ack decided here.
        await _consumeGate.WaitAsync(cancellationToken);
        try
        {
            List<ulong> acks;
            List<ulong> requeues;
            ulong covered = 0;
            lock (_unacked)
            {
                acks = [.. ack.Where(_unacked.Remove).Order()];
                requeues = [.. requeue.Where(_unacked.Remove)];
                _leased.ExceptWith(acks);
                _leased.ExceptWith(requeues);
                var oldestHeld = _unacked.Count == 0 ? ulong.MaxValue : _unacked.Min();
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
        var confirms = new Task[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            // A fresh properties object per message: with confirm tracking the client writes its sequence number into the headers.
            var properties = new BasicProperties { Persistent = true };
            confirms[i] = _publisher.BasicPublishAsync("", queue, mandatory: true, properties, ids[i].ToByteArray(), cancellationToken).AsTask();
        }

        await Task.WhenAll(confirms);
    }

    private Task Received(BasicDeliverEventArgs delivery)
    {
        // An unreadable body names no job; the take acks it as unknown.
        var id = delivery.Body.Length == 16 ? new Guid(delivery.Body.Span) : Guid.Empty;
        lock (_unacked)
        {
            _unacked.Add(delivery.DeliveryTag);
        }

        _deliveries.Writer.TryWrite(new Delivery(delivery.DeliveryTag, id));
        return Task.CompletedTask;
    }

    private Task Closed()
    {
        _deliveries.Writer.TryComplete();
        return Task.CompletedTask;
    }
}
