using Quarry.Redis.Protocol;

namespace Quarry.Redis;

/// <summary>
/// Commands queued by one caller and written to the server back to back in a single send. Not thread-safe; use once.
/// </summary>
public sealed class RedisBatch
{
    private readonly RedisClient _client;
    private readonly TimeSpan _timeout;
    private readonly List<PendingCommand> _commands = [];
    private WriteBuffer? _encoded = new();

    internal RedisBatch(RedisClient client, TimeSpan timeout)
    {
        _client = client;
        _timeout = timeout;
    }

    public int Count => _commands.Count;

    /// <summary>Queues a command; its task completes with its own reply after <see cref="ExecuteAsync"/> sends the batch.</summary>
    public Task<RedisReply> Add(string command, params ReadOnlySpan<RedisArg> args)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        var encoded = _encoded ?? throw new InvalidOperationException("This batch has already been executed.");
        RespWriter.WriteCommand(encoded, command, args);
        var pending = new PendingCommand(command, _timeout);
        _commands.Add(pending);
        return pending.Task;
    }

    /// <summary>Sends every queued command in one write and waits for all replies; throws the first failure, if any.</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var encoded = _encoded ?? throw new InvalidOperationException("This batch has already been executed.");
        _encoded = null;
        if (_commands.Count == 0)
        {
            encoded.Release();
            return;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            encoded.Release();
            foreach (var command in _commands)
            {
                command.TrySetCanceled(cancellationToken);
            }
        }
        else
        {
            _client.Enqueue([.. _commands], encoded, cancellationToken);
        }

        await Task.WhenAll(_commands.Select(static command => command.Task)).ConfigureAwait(false);
    }
}
