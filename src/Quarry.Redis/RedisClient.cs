using Quarry.Redis.Protocol;

namespace Quarry.Redis;

/// <summary>
/// A Redis client whose one connection is shared by all concurrent callers: commands are pipelined and their writes
/// coalesced, replies are matched in order, and a lost connection is reopened by the next command.
/// </summary>
public sealed class RedisClient : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private volatile RedisConnection? _connection;
    private volatile bool _disposed;
    private readonly Queue<Backlogged> _backlog = new();
    private Task<RedisConnection>? _connecting;

    public RedisClient(RedisOptions options)
        : this(options, dedicated: false)
    {
    }

    /// <summary>Creates a client from a <c>redis://</c> connection string (see <see cref="RedisOptions.Parse"/>).</summary>
    public RedisClient(string connectionString)
        : this(RedisOptions.Parse(connectionString))
    {
    }

    private RedisClient(RedisOptions options, bool dedicated)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
        IsDedicated = dedicated;
    }

    /// <summary>True for a client made by <see cref="OpenDedicatedAsync"/>, where blocking commands belong.</summary>
    public bool IsDedicated { get; }

    public TimeSpan CommandTimeout => _options.CommandTimeout;

    /// <summary>True while the client holds an open connection; false before the first command and after a failure.</summary>
    public bool IsConnected => _connection is { IsAlive: true };

    /// <summary>Sends taken by the current connection; lets tests see that concurrent commands share writes.</summary>
    internal long FlushCount => _connection?.FlushCount ?? 0;

    /// <summary>Opens the connection now rather than on the first command.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default) =>
        await GetConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Sends a command, for example <c>ExecuteAsync("SET", key, value)</c>; server errors throw <see cref="RedisServerException"/>.</summary>
    public Task<RedisReply> ExecuteAsync(string command, params ReadOnlySpan<RedisArg> args) =>
        Send(command, args, _options.CommandTimeout, CancellationToken.None);

    /// <summary>Sends a command; cancelling stops the wait, but a command already queued still runs and its reply is dropped.</summary>
    public Task<RedisReply> ExecuteAsync(string command, ReadOnlySpan<RedisArg> args, CancellationToken cancellationToken) =>
        Send(command, args, _options.CommandTimeout, cancellationToken);

    /// <summary>Sends a command with its own reply timeout (longer than the block time of a blocking command).</summary>
    public Task<RedisReply> ExecuteAsync(string command, ReadOnlySpan<RedisArg> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or infinite.");
        }

        return Send(command, args, timeout, cancellationToken);
    }

    /// <summary>Starts a batch: commands queued on it are written together by <see cref="RedisBatch.ExecuteAsync"/>.</summary>
    public RedisBatch CreateBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RedisBatch(this, _options.CommandTimeout);
    }

    /// <summary>
    /// Opens a separate client with its own connection and the same options, for blocking commands (BLMOVE, BRPOP,
    /// XREADGROUP BLOCK) that would otherwise hold up every caller of the shared connection. Dispose it when done.
    /// </summary>
    public async Task<RedisClient> OpenDedicatedAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var dedicated = new RedisClient(_options, dedicated: true);
        try
        {
            await dedicated.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return dedicated;
        }
        catch
        {
            await dedicated.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the connection; commands still waiting fail with <see cref="RedisConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        RedisConnection? connection;
        Task<RedisConnection>? connecting;
        Backlogged[] waiting;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connection = _connection;
            connecting = _connecting;
            _connection = null;
            waiting = [.. _backlog];
            _backlog.Clear();
        }

        foreach (var item in waiting)
        {
            item.Encoded.Release();
            FailAll(item.Commands, new ObjectDisposedException(nameof(RedisClient)));
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        if (connecting is not null)
        {
            // A connect that finishes after disposal closes its own connection.
            await connecting.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    /// <summary>Queues encoded commands now, or in call order once the next connection opens; never sends them twice.</summary>
    internal void Enqueue(PendingCommand[] commands, WriteBuffer encoded, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                encoded.Release();
                FailAll(commands, new ObjectDisposedException(nameof(RedisClient)));
                return;
            }

            if (_connection is { } current && current.TryEnqueue(commands, encoded.WrittenSpan, cancellationToken))
            {
                encoded.Release();
                return;
            }

            foreach (var command in commands)
            {
                command.ObserveCancellation(cancellationToken);
            }

            _backlog.Enqueue(new Backlogged(commands, encoded, cancellationToken));
            _connecting ??= Task.Run(ConnectWithRetryAsync);
        }
    }

    private static void FailAll(PendingCommand[] commands, Exception error)
    {
        foreach (var command in commands)
        {
            command.Fail(error);
        }
    }

    private Task<RedisReply> Send(string command, ReadOnlySpan<RedisArg> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<RedisReply>(cancellationToken);
        }

        var pending = new PendingCommand(command, timeout);
        var connection = _connection;
        if (connection is not null && connection.TryEnqueue(pending, command, args, cancellationToken))
        {
            return pending.Task;
        }

        // Encoded now because the arguments live on the caller's stack.
        var encoded = new WriteBuffer();
        RespWriter.WriteCommand(encoded, command, args);
        Enqueue([pending], encoded, cancellationToken);
        return pending.Task;
    }

    private Task<RedisConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        Task<RedisConnection> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsAlive: true } current)
            {
                return Task.FromResult(current);
            }

            // Every caller waiting for a connection shares one attempt.
            connecting = _connecting ??= Task.Run(ConnectWithRetryAsync);
        }

        return connecting.WaitAsync(cancellationToken);
    }

    private async Task<RedisConnection> ConnectWithRetryAsync()
    {
        try
        {
            var connection = await OpenWithRetryAsync().ConfigureAwait(false);
            RedisConnection? previous = null;
            var published = false;
            lock (_gate)
            {
                if (!_disposed)
                {
                    // The backlog goes first, so commands keep the order they were issued in.
                    DrainBacklog(connection);
                    previous = _connection;
                    _connection = connection;
                    _connecting = null;
                    published = true;
                }
            }

            if (!published)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new ObjectDisposedException(nameof(RedisClient));
            }

            if (previous is not null)
            {
                // Already failed; this waits for its loops to stop and return their buffers.
                await previous.DisposeAsync().ConfigureAwait(false);
            }

            return connection;
        }
        catch (Exception error)
        {
            var failure = _disposing.IsCancellationRequested ? new ObjectDisposedException(nameof(RedisClient)) : error;
            Backlogged[] waiting;
            lock (_gate)
            {
                _connecting = null;
                waiting = [.. _backlog];
                _backlog.Clear();
            }

            foreach (var item in waiting)
            {
                item.Encoded.Release();
                FailAll(item.Commands, failure);
            }

            if (failure != error)
            {
                throw failure;
            }

            throw;
        }
    }

    private void DrainBacklog(RedisConnection connection)
    {
        while (_backlog.TryDequeue(out var item))
        {
            // A command cancelled while waiting for the connection is simply not sent.
            if (!item.Commands.All(static command => command.Task.IsCompleted)
                && !connection.TryEnqueue(item.Commands, item.Encoded.WrittenSpan, item.Token))
            {
                FailAll(item.Commands, new RedisConnectionException("The connection closed before the command could be sent."));
            }

            item.Encoded.Release();
        }
    }

    private async Task<RedisConnection> OpenWithRetryAsync()
    {
        var time = _options.TimeProvider;
        var started = time.GetTimestamp();
        var backoff = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var remaining = _options.ConnectTimeout - time.GetElapsedTime(started);
            Exception failure;
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
                attempt.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                return await RedisConnection.OpenAsync(_options, attempt.Token).ConfigureAwait(false);
            }
            catch (RedisServerException error)
            {
                // The server answered AUTH or SELECT with an error: retrying cannot help.
                throw new RedisConnectionException(
                    $"Redis at {_options.Host}:{_options.Port} refused the connection setup: {error.Message}", error);
            }
            catch (Exception error) when (!_disposing.IsCancellationRequested)
            {
                failure = error;
            }

            remaining = _options.ConnectTimeout - time.GetElapsedTime(started);
            if (remaining <= backoff)
            {
                throw new RedisConnectionException(
                    $"Could not connect to Redis at {_options.Host}:{_options.Port} within {_options.ConnectTimeout.TotalMilliseconds:0} ms: {failure.Message}",
                    failure);
            }

            await Task.Delay(backoff, time, _disposing.Token).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
        }
    }

    private sealed record Backlogged(PendingCommand[] Commands, WriteBuffer Encoded, CancellationToken Token);
}
