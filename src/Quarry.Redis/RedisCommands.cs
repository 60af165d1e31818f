using System.Buffers;

namespace Quarry.Redis;

/// <summary>Typed helpers for the commands the job queue uses most; everything else goes through ExecuteAsync.</summary>
public static class RedisCommands
{
    /// <summary>SET key value [PX milliseconds].</summary>
    public static async Task StringSetAsync(this RedisClient client, string key, RedisArg value, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var reply = expiry is { } ttl
            ? client.ExecuteAsync("SET", [key, value, "PX", (long)Math.Ceiling(ttl.TotalMilliseconds)], cancellationToken)
            : client.ExecuteAsync("SET", [key, value], cancellationToken);
        await reply.ConfigureAwait(false);
    }

    /// <summary>GET key as UTF-8 text; null when the key does not exist.</summary>
    public static async Task<string?> StringGetAsync(this RedisClient client, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return (await client.ExecuteAsync("GET", [key], cancellationToken).ConfigureAwait(false)).AsString();
    }

    /// <summary>GET key as raw bytes; null when the key does not exist.</summary>
    public static async Task<byte[]?> StringGetBytesAsync(this RedisClient client, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return (await client.ExecuteAsync("GET", [key], cancellationToken).ConfigureAwait(false)).AsBytes();
    }

    /// <summary>HSET key field value [field value ...]; returns how many fields were new.</summary>
    public static Task<long> HashSetAsync(this RedisClient client, string key, ReadOnlySpan<(string Field, RedisArg Value)> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfZero(fields.Length, nameof(fields));
        var args = ArrayPool<RedisArg>.Shared.Rent(1 + (2 * fields.Length));
        try
        {
            args[0] = key;
            for (var i = 0; i < fields.Length; i++)
            {
                args[1 + (2 * i)] = fields[i].Field;
                args[2 + (2 * i)] = fields[i].Value;
            }

            // ExecuteAsync encodes the arguments before it returns, so the rented array can go back at once.
            return AsInt64Async(client.ExecuteAsync("HSET", args.AsSpan(0, 1 + (2 * fields.Length)), cancellationToken));
        }
        finally
        {
            ArrayPool<RedisArg>.Shared.Return(args, clearArray: true);
        }
    }

    /// <summary>HGETALL key as a dictionary of UTF-8 fields and values (empty when the key does not exist).</summary>
    public static async Task<Dictionary<string, string>> HashGetAllAsync(this RedisClient client, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var items = (await client.ExecuteAsync("HGETALL", [key], cancellationToken).ConfigureAwait(false)).AsArray() ?? [];
        var hash = new Dictionary<string, string>(items.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            hash[items[i].AsString()!] = items[i + 1].AsString()!;
        }

        return hash;
    }

    /// <summary>LMOVE source destination from to; returns the moved element, or null when the source is empty.</summary>
    public static async Task<string?> ListMoveAsync(this RedisClient client, string source, string destination, RedisListSide from, RedisListSide to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var reply = await client.ExecuteAsync("LMOVE", [source, destination, SideName(from), SideName(to)], cancellationToken).ConfigureAwait(false);
        return reply.AsString();
    }

    /// <summary>
    /// BLMOVE on a dedicated client (see <see cref="RedisClient.OpenDedicatedAsync"/>); waits up to
    /// <paramref name="blockTimeout"/> (zero waits forever) and returns null if nothing arrived.
    /// </summary>
    public static async Task<string?> BlockingListMoveAsync(this RedisClient client, string source, string destination, RedisListSide from, RedisListSide to, TimeSpan blockTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTimeout, TimeSpan.Zero, nameof(blockTimeout));
        if (!client.IsDedicated)
        {
            throw new InvalidOperationException("Blocking commands stall every caller of a shared client; run them on a client from OpenDedicatedAsync.");
        }

        // The reply may legitimately take the whole block time, so the reply timeout starts counting after it.
        var timeout = blockTimeout == TimeSpan.Zero || client.CommandTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : blockTimeout + client.CommandTimeout;
        var reply = await client.ExecuteAsync(
            "BLMOVE", [source, destination, SideName(from), SideName(to), blockTimeout.TotalSeconds], timeout, cancellationToken).ConfigureAwait(false);
        return reply.AsString();
    }

    /// <summary>EVAL script numkeys key... arg...; the reply is returned as the script produced it.</summary>
    public static Task<RedisReply> EvalAsync(this RedisClient client, string script, ReadOnlySpan<RedisArg> keys, ReadOnlySpan<RedisArg> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(script);
        var count = 2 + keys.Length + args.Length;
        var all = ArrayPool<RedisArg>.Shared.Rent(count);
        try
        {
            all[0] = script;
            all[1] = keys.Length;
            keys.CopyTo(all.AsSpan(2));
            args.CopyTo(all.AsSpan(2 + keys.Length));
            return client.ExecuteAsync("EVAL", all.AsSpan(0, count), cancellationToken);
        }
        finally
        {
            ArrayPool<RedisArg>.Shared.Return(all, clearArray: true);
        }
    }

    private static string SideName(RedisListSide side) => side == RedisListSide.Left ? "LEFT" : "RIGHT";

    private static async Task<long> AsInt64Async(Task<RedisReply> reply) => (await reply.ConfigureAwait(false)).AsInt64();
}
