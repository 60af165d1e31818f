using System.Globalization;
using System.Text;
using Quarry.Redis.Protocol;

namespace Quarry.Redis;

/// <summary>One command argument (text, bytes or a number), always sent as a binary-safe bulk string.</summary>
public readonly struct RedisArg
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;
    private readonly double _real;
    private readonly ArgKind _kind;

    private RedisArg(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _text = text;
        _kind = ArgKind.Text;
    }

    private RedisArg(ReadOnlyMemory<byte> bytes)
    {
        _bytes = bytes;
        _kind = ArgKind.Bytes;
    }

    private RedisArg(long integer)
    {
        _integer = integer;
        _kind = ArgKind.Integer;
    }

    private RedisArg(double real)
    {
        if (double.IsNaN(real))
        {
            throw new ArgumentException("NaN cannot be sent to Redis.", nameof(real));
        }

        _real = real;
        _kind = ArgKind.Real;
    }

    private enum ArgKind : byte
    {
        Bytes,
        Text,
        Integer,
        Real,
    }

    public static implicit operator RedisArg(string value) => new(value);

    public static implicit operator RedisArg(byte[] value) => new((ReadOnlyMemory<byte>)(value ?? throw new ArgumentNullException(nameof(value))));

    public static implicit operator RedisArg(ReadOnlyMemory<byte> value) => new(value);

    public static implicit operator RedisArg(long value) => new(value);

    public static implicit operator RedisArg(int value) => new((long)value);

    public static implicit operator RedisArg(double value) => new(value);

    public override string ToString() => _kind switch
    {
        ArgKind.Text => _text!,
        ArgKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        ArgKind.Real => _real.ToString(CultureInfo.InvariantCulture),
        _ => Encoding.UTF8.GetString(_bytes.Span),
    };

    internal void WriteTo(WriteBuffer buffer)
    {
        switch (_kind)
        {
            case ArgKind.Text:
                RespWriter.WriteBulk(buffer, _text!);
                break;
            case ArgKind.Integer:
                RespWriter.WriteBulk(buffer, _integer);
                break;
            case ArgKind.Real:
                RespWriter.WriteBulk(buffer, _real);
                break;
            default:
                RespWriter.WriteBulk(buffer, _bytes.Span);
                break;
        }
    }
}
