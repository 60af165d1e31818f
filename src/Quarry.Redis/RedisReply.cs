using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Quarry.Redis;

/// <summary>The RESP2 type of a reply.</summary>
public enum RedisReplyKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}

/// <summary>One reply from the server: a simple string, error, integer, bulk string or (nested) array; bulk strings and arrays may be nil.</summary>
public sealed class RedisReply
{
    private const int CachedIntegers = 256;

    private static readonly RedisReply[] SmallIntegers = CreateSmallIntegers();

    // string for simple strings and errors, byte[] for bulk strings, RedisReply[] for arrays; null for nil.
    private readonly object? _value;
    private readonly long _integer;

    private RedisReply(RedisReplyKind kind, object? value, long integer)
    {
        Kind = kind;
        _value = value;
        _integer = integer;
    }

    public RedisReplyKind Kind { get; }

    /// <summary>True for a nil bulk string or a nil array.</summary>
    public bool IsNull => _value is null && Kind is RedisReplyKind.BulkString or RedisReplyKind.Array;

    internal static RedisReply Ok { get; } = new(RedisReplyKind.SimpleString, "OK", 0);

    internal static RedisReply Pong { get; } = new(RedisReplyKind.SimpleString, "PONG", 0);

    internal static RedisReply NullBulk { get; } = new(RedisReplyKind.BulkString, null, 0);

    internal static RedisReply NullArray { get; } = new(RedisReplyKind.Array, null, 0);

    internal static RedisReply EmptyArray { get; } = new(RedisReplyKind.Array, System.Array.Empty<RedisReply>(), 0);

    internal string ErrorMessage => Kind == RedisReplyKind.Error ? (string)_value! : string.Empty;

    /// <summary>The text of a simple or bulk string (UTF-8), an integer as text, or null for any nil reply.</summary>
    public string? AsString() => Kind switch
    {
        _ when IsNull => null,
        RedisReplyKind.SimpleString => (string)_value!,
        RedisReplyKind.BulkString => _value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null,
        RedisReplyKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RedisReplyKind.Error => throw new RedisServerException(ErrorMessage),
        _ => throw NotA("a string"),
    };

    /// <summary>The raw bytes of a bulk string (or a simple string as UTF-8), or null for any nil reply.</summary>
    public byte[]? AsBytes() => Kind switch
    {
        _ when IsNull => null,
        RedisReplyKind.BulkString => (byte[]?)_value,
        RedisReplyKind.SimpleString => Encoding.UTF8.GetBytes((string)_value!),
        RedisReplyKind.Integer => Encoding.UTF8.GetBytes(_integer.ToString(CultureInfo.InvariantCulture)),
        RedisReplyKind.Error => throw new RedisServerException(ErrorMessage),
        _ => throw NotA("a byte string"),
    };

    /// <summary>An integer reply, or a simple or bulk string holding a decimal integer (as GET returns a counter).</summary>
    public long AsInt64()
    {
        switch (Kind)
        {
            case RedisReplyKind.Integer:
                return _integer;
            case RedisReplyKind.BulkString when _value is byte[] bytes:
                if (Utf8Parser.TryParse(bytes, out long parsed, out var used) && used == bytes.Length)
                {
                    return parsed;
                }

                break;
            case RedisReplyKind.SimpleString:
                if (long.TryParse((string)_value!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                break;
            case RedisReplyKind.Error:
                throw new RedisServerException(ErrorMessage);
        }

        throw NotA("an integer");
    }

    /// <summary>The elements of an array reply, or null for any nil reply.</summary>
    public RedisReply[]? AsArray() => Kind switch
    {
        _ when IsNull => null,
        RedisReplyKind.Array => (RedisReply[]?)_value,
        RedisReplyKind.Error => throw new RedisServerException(ErrorMessage),
        _ => throw NotA("an array"),
    };

    public override string ToString() => Kind switch
    {
        _ when IsNull => "(nil)",
        RedisReplyKind.Error => "(error) " + ErrorMessage,
        RedisReplyKind.Integer => "(integer) " + _integer.ToString(CultureInfo.InvariantCulture),
        RedisReplyKind.Array => "[" + string.Join(", ", (IEnumerable<RedisReply>)_value!) + "]",
        _ => AsString()!,
    };

    internal static RedisReply Simple(string value) => new(RedisReplyKind.SimpleString, value, 0);

    internal static RedisReply Error(string message) => new(RedisReplyKind.Error, message, 0);

    internal static RedisReply Bulk(byte[] value) => new(RedisReplyKind.BulkString, value, 0);

    internal static RedisReply Array(RedisReply[] items) => new(RedisReplyKind.Array, items, 0);

    internal static RedisReply Integer(long value) =>
        value is >= 0 and < CachedIntegers ? SmallIntegers[value] : new(RedisReplyKind.Integer, null, value);

    private static RedisReply[] CreateSmallIntegers()
    {
        var replies = new RedisReply[CachedIntegers];
        for (var i = 0; i < replies.Length; i++)
        {
            replies[i] = new RedisReply(RedisReplyKind.Integer, null, i);
        }

        return replies;
    }

    private InvalidOperationException NotA(string what) =>
        new(IsNull ? $"The reply is nil, not {what}." : $"The reply is {Kind}, not {what}.");
}
