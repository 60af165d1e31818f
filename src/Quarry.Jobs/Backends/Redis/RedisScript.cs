using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>A Lua script run by its SHA1, sent in full only when the server does not know it (first use, after a restart or a failover).</summary>
internal sealed class RedisScript
{
    public RedisScript(string body)
    {
        Body = body;
        // Redis names cached scripts by SHA1; this is an identifier, not a security measure.
#pragma warning disable CA5350
        Sha = SHA1.HashData(Encoding.UTF8.GetBytes(body));
#pragma warning restore CA5350
    }

    public string Body { get; }

    public byte[] Sha { get; }

    public async Task<RedisResult> RunAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Sha, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(Body, keys, args).ConfigureAwait(false);
        }
    }
}
