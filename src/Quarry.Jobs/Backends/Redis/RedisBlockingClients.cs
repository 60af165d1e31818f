using Quarry.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>Dedicated connections for blocking reads, one per concurrent taker, reused between takes.</summary>
internal sealed class RedisBlockingClients(RedisClient shared) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Stack<RedisClient> _idle = new();
    private readonly HashSet<RedisClient> _all = [];
    private bool _disposed;

    public async Task<RedisClient> RentAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var client))
            {
                return client;
            }
        }

        var opened = await shared.OpenDedicatedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_disposed)
            {
                _all.Add(opened);
                return opened;
            }
        }

        await opened.DisposeAsync().ConfigureAwait(false);
        throw new ObjectDisposedException(nameof(RedisBlockingClients));
    }

    /// <summary>Returns a client for reuse, or closes it when its last call failed (a cancelled read may still be blocking it).</summary>
    public async ValueTask ReturnAsync(RedisClient client, bool healthy)
    {
        lock (_gate)
        {
            if (healthy && !_disposed)
            {
                _idle.Push(client);
                return;
            }

            _all.Remove(client);
        }

        await client.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        RedisClient[] clients;
        lock (_gate)
        {
            _disposed = true;
            clients = [.. _all];
            _all.Clear();
            _idle.Clear();
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
