using System.Security.Cryptography;
using System.Text;
using Quarry.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>A Lua script run by its SHA1, sent in full only when the server does not know it (first use, after a restart).</summary>
internal sealed class RedisScript
{
    public RedisScript(string body)
    {
        Body = body;
        // Redis names cached scripts by SHA1; this is an identifier, not a security measure.
#pragma warning disable CA5350
        Sha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(body)));
#pragma warning restore CA5350
    }

    public string Body { get; }

    public string Sha { get; }

    /// <summary>Arguments laid out for EVALSHA: slot 0 is the script, then the key count, the keys and the arguments.</summary>
    public static RedisArg[] Arguments(int keys, int args)
    {
        var all = new RedisArg[2 + keys + args];
        all[1] = keys;
        return all;
    }

    /// <summary>Runs the script with arguments from <see cref="Arguments"/>.</summary>
    public async Task<RedisReply> RunAsync(RedisClient client, RedisArg[] args, CancellationToken cancellationToken)
    {
        args[0] = Sha;
        try
        {
            return await client.ExecuteAsync("EVALSHA", args, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.ErrorCode == "NOSCRIPT")
        {
            args[0] = Body;
            return await client.ExecuteAsync("EVAL", args, cancellationToken).ConfigureAwait(false);
        }
    }
}
