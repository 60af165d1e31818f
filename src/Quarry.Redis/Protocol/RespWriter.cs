using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Quarry.Redis.Protocol;

/// <summary>Encodes commands as RESP arrays of bulk strings.</summary>
internal static class RespWriter
{
    // '$' + up to 20 digits + CRLF before the payload, CRLF after it.
    private const int FramingBytes = 1 + 20 + 2 + 2;

    public static void WriteCommand(WriteBuffer buffer, string command, ReadOnlySpan<RedisArg> args)
    {
        var mark = buffer.Length;
        try
        {
            var span = buffer.GetSpan(FramingBytes);
            var written = WriteHeader(span, (byte)'*', args.Length + 1);
            buffer.Advance(written);
            WriteBulk(buffer, command);
            foreach (ref readonly var arg in args)
            {
                arg.WriteTo(buffer);
            }
        }
        catch
        {
            // A half-written command would desynchronise every later command on the connection.
            buffer.Truncate(mark);
            throw;
        }
    }

    public static void WriteBulk(WriteBuffer buffer, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var span = buffer.GetSpan(count + FramingBytes);
        var written = WriteHeader(span, (byte)'$', count);
        written += Encoding.UTF8.GetBytes(value, span[written..]);
        buffer.Advance(WriteCrlf(span, written));
    }

    public static void WriteBulk(WriteBuffer buffer, ReadOnlySpan<byte> value)
    {
        var span = buffer.GetSpan(value.Length + FramingBytes);
        var written = WriteHeader(span, (byte)'$', value.Length);
        value.CopyTo(span[written..]);
        buffer.Advance(WriteCrlf(span, written + value.Length));
    }

    public static void WriteBulk(WriteBuffer buffer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        WriteBulk(buffer, digits[..length]);
    }

    public static void WriteBulk(WriteBuffer buffer, double value)
    {
        if (double.IsInfinity(value))
        {
            WriteBulk(buffer, value > 0 ? "+inf"u8 : "-inf"u8);
            return;
        }

        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        WriteBulk(buffer, text[..length]);
    }

    private static int WriteHeader(Span<byte> span, byte prefix, int count)
    {
        span[0] = prefix;
        Utf8Formatter.TryFormat(count, span[1..], out var digits);
        return WriteCrlf(span, 1 + digits);
    }

    private static int WriteCrlf(Span<byte> span, int at)
    {
        span[at] = (byte)'\r';
        span[at + 1] = (byte)'\n';
        return at + 2;
    }
}
