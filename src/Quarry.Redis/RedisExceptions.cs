namespace Quarry.Redis;

/// <summary>Base type of every failure the Redis client reports.</summary>
public abstract class RedisException : Exception
{
    protected RedisException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The server answered a command with an error reply (for example <c>WRONGTYPE ...</c>).</summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException(string message)
        : base(message)
    {
    }

    /// <summary>The first word of the server's message, such as <c>ERR</c>, <c>WRONGTYPE</c> or <c>NOAUTH</c>.</summary>
    public string ErrorCode
    {
        get
        {
            var space = Message.IndexOf(' ', StringComparison.Ordinal);
            return space < 0 ? Message : Message[..space];
        }
    }
}

/// <summary>A command got no reply within its timeout; the connection it was sent on has been reset.</summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException(string message)
        : base(message)
    {
    }
}

/// <summary>The connection could not be opened, or closed before the command's reply arrived.</summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
