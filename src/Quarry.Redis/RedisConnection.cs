using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Quarry.Redis.Protocol;

namespace Quarry.Redis;

/// <summary>
/// One socket to the server: callers append encoded commands to a shared buffer, a write loop flushes whatever has
/// accumulated in one send, and a read loop matches replies to commands in FIFO order.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly double _timestampsPerTick;
    private readonly Lock _lock = new();
    private readonly Queue<PendingCommand> _pending = new();
    private readonly SemaphoreSlim _writeSignal = new(0);
    private readonly Task _readLoop;
    private readonly Task _writeLoop;
    private readonly ITimer _timeoutTimer;
    private WriteBuffer _filling = new();
    private WriteBuffer _sending = new();
    private bool _writeSignaled;
    private volatile RedisConnectionException? _failure;
    private long _flushCount;

    private RedisConnection(Socket socket, RedisOptions options)
    {
        _socket = socket;
        _time = options.TimeProvider;
        _timestampsPerTick = (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond;
        var period = options.CommandTimeout == Timeout.InfiniteTimeSpan
            ? TimeSpan.FromMilliseconds(250)
            : TimeSpan.FromTicks(Math.Clamp(options.CommandTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 250));

        // The loops and the timer live as long as the connection; they must not keep the first caller's async locals.
        using (ExecutionContext.SuppressFlow())
        {
            _timeoutTimer = _time.CreateTimer(static state => ((RedisConnection)state!).CheckTimeouts(), this, period, period);
            _readLoop = Task.Run(ReadLoopAsync);
            _writeLoop = Task.Run(WriteLoopAsync);
        }
    }

    public bool IsAlive => _failure is null;

    /// <summary>How many sends the write loop has made; far fewer than commands when pipelining coalesces.</summary>
    public long FlushCount => Interlocked.Read(ref _flushCount);

    /// <summary>Connects, then authenticates and selects the database before anyone else can use the connection.</summary>
    public static async Task<RedisConnection> OpenAsync(RedisOptions options, CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(options.Host, options.Port, cancellationToken).ConfigureAwait(false);
        var connection = new RedisConnection(socket, options);
        try
        {
            if (options.Password is not null)
            {
                RedisArg[] auth = options.User is null ? [options.Password] : [options.User, options.Password];
                await connection.HandshakeAsync("AUTH", auth, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }

            if (options.Database != 0)
            {
                await connection.HandshakeAsync("SELECT", [options.Database], options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Encodes and queues one command; false (nothing sent) when the connection has already failed.</summary>
    public bool TryEnqueue(PendingCommand command, string name, ReadOnlySpan<RedisArg> args, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                return false;
            }

            RespWriter.WriteCommand(_filling, name, args);
            AddPending(command, _time.GetTimestamp(), cancellationToken);
            SignalWriter();
        }

        return true;
    }

    /// <summary>Queues already encoded commands back to back, so they leave in the same send.</summary>
    public bool TryEnqueue(ReadOnlySpan<PendingCommand> commands, ReadOnlySpan<byte> encoded, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                return false;
            }

            _filling.Write(encoded);
            var now = _time.GetTimestamp();
            foreach (var command in commands)
            {
                AddPending(command, now, cancellationToken);
            }

            SignalWriter();
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new RedisConnectionException("The connection was closed by the client."));
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
    }

    private static async Task<Socket> ConnectSocketAsync(string host, int port, CancellationToken cancellationToken)
    {
        EndPoint endPoint;
        Socket socket;
        if (IPAddress.TryParse(host, out var address))
        {
            endPoint = new IPEndPoint(address, port);
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        else
        {
            endPoint = new DnsEndPoint(host, port);
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        }

        try
        {
            // Commands are already coalesced here; Nagle would only add latency.
            socket.NoDelay = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private Task<RedisReply> HandshakeAsync(string command, ReadOnlySpan<RedisArg> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new PendingCommand(command, timeout);
        if (!TryEnqueue(pending, command, args, cancellationToken))
        {
            throw _failure ?? new RedisConnectionException("The connection closed during the handshake.");
        }

        return pending.Task;
    }

    private void AddPending(PendingCommand command, long now, CancellationToken cancellationToken)
    {
        var timeout = command.Timeout;
        var ticks = timeout == Timeout.InfiniteTimeSpan ? double.MaxValue : timeout.Ticks * _timestampsPerTick;
        command.Deadline = ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
        command.ObserveCancellation(cancellationToken);
        _pending.Enqueue(command);
    }

    private void SignalWriter()
    {
        if (!_writeSignaled)
        {
            _writeSignaled = true;
            _writeSignal.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _writeSignal.WaitAsync().ConfigureAwait(false);
                WriteBuffer batch;
                lock (_lock)
                {
                    if (_failure is not null)
                    {
                        return;
                    }

                    // Swap buffers so callers keep appending while this batch is on the wire.
                    batch = _filling;
                    _filling = _sending;
                    _sending = batch;
                    _writeSignaled = false;
                }

                var unsent = batch.WrittenMemory;
                while (!unsent.IsEmpty)
                {
                    var sent = await _socket.SendAsync(unsent, SocketFlags.None).ConfigureAwait(false);
                    unsent = unsent[sent..];
                }

                Interlocked.Increment(ref _flushCount);
                batch.Reset();
            }
        }
        catch (Exception error)
        {
            Fail(new RedisConnectionException("Writing to the Redis server failed: " + error.Message, error));
        }
        finally
        {
            // Only reached once the connection has failed, after which no caller touches the buffers.
            _filling.Release();
            _sending.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        int start = 0, end = 0, needed = 0;
        try
        {
            while (true)
            {
                var buffered = end - start;
                if (buffered == 0 && buffer.Length > 4 * ReadBufferSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
                    (start, end) = (0, 0);
                }

                if (start > 0 && (buffered == 0 || end == buffer.Length || needed > buffer.Length - start))
                {
                    buffer.AsSpan(start, buffered).CopyTo(buffer);
                    (start, end) = (0, buffered);
                }

                if (end == buffer.Length || needed > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
                    buffer.AsSpan(0, end).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    Fail(new RedisConnectionException("The Redis server closed the connection."));
                    return;
                }

                end += read;
                if (end - start >= needed)
                {
                    start = DeliverReplies(buffer, start, end, out needed);
                }
            }
        }
        catch (Exception error)
        {
            Fail(error as RedisConnectionException
                ?? new RedisConnectionException("Reading from the Redis server failed: " + error.Message, error));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int DeliverReplies(byte[] buffer, int start, int end, out int needed)
    {
        needed = 0;
        while (start < end)
        {
            var data = buffer.AsSpan(start, end - start);
            if (!RespParser.TryScan(data, out var length, out needed))
            {
                break;
            }

            var position = 0;
            var reply = RespParser.Parse(data[..length], ref position);
            start += length;
            PendingCommand? command;
            lock (_lock)
            {
                _pending.TryDequeue(out command);
            }

            if (command is null)
            {
                throw _failure ?? new RedisConnectionException("Redis protocol error: a reply arrived with no command waiting for it.");
            }

            command.Complete(reply);
        }

        return start;
    }

    private void CheckTimeouts()
    {
        var now = _time.GetTimestamp();
        PendingCommand? expired = null;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return;
            }

            foreach (var command in _pending)
            {
                if (command.Deadline <= now)
                {
                    expired = command;
                    break;
                }
            }
        }

        if (expired is not null)
        {
            // Replies still in flight would be matched to the wrong commands, so the whole connection goes.
            var reason = new RedisConnectionException($"The connection was reset because {expired.Command} got no reply in time.");
            Fail(reason, expired, new RedisTimeoutException(
                $"No reply to {expired.Command} within {expired.Timeout.TotalMilliseconds:0} ms; the connection was reset."));
        }
    }

    private void Fail(RedisConnectionException reason, PendingCommand? timedOut = null, RedisTimeoutException? timeout = null)
    {
        PendingCommand[] abandoned;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = reason;
            abandoned = _pending.ToArray();
            _pending.Clear();
            _writeSignal.Release();
        }

        _timeoutTimer.Dispose();
        _socket.Dispose();
        foreach (var command in abandoned)
        {
            command.Fail(command == timedOut ? timeout! : new RedisConnectionException(reason.Message, reason.InnerException));
        }
    }
}
