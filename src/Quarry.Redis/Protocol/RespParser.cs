using System.Buffers.Text;
using System.Text;

namespace Quarry.Redis.Protocol;

/// <summary>Decodes RESP2 replies from a byte buffer.</summary>
internal static class RespParser
{
    // Redis caps a bulk string at 512 MB; anything larger is a corrupt stream.
    private const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>
    /// Checks, without allocating, whether <paramref name="data"/> starts with a whole reply. When it does not,
    /// <paramref name="needed"/> is a lower bound on the bytes required, so huge values are not rescanned per read.
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> data, out int length, out int needed)
    {
        var position = 0;
        long remaining = 1;
        while (remaining > 0)
        {
            var lineEnd = position < data.Length ? data[position..].IndexOf("\r\n"u8) : -1;
            if (lineEnd < 0)
            {
                length = 0;
                needed = data.Length + 1;
                return false;
            }

            if (lineEnd == 0)
            {
                throw ProtocolError("empty reply line");
            }

            var type = data[position];
            var line = data.Slice(position + 1, lineEnd - 1);
            position += lineEnd + 2;
            remaining--;
            switch (type)
            {
                case (byte)'+' or (byte)'-' or (byte)':':
                    break;
                case (byte)'$':
                    var size = ParseLength(line, MaxBulkLength);
                    if (size >= 0)
                    {
                        var end = position + size + 2;
                        if (end > data.Length)
                        {
                            length = 0;
                            needed = end > int.MaxValue ? int.MaxValue : (int)end;
                            return false;
                        }

                        position = (int)end;
                    }

                    break;
                case (byte)'*':
                    var count = ParseLength(line, int.MaxValue);
                    if (count > 0)
                    {
                        remaining += count;
                    }

                    break;
                default:
                    throw ProtocolError($"unexpected reply type byte 0x{type:x2}");
            }
        }

        length = position;
        needed = 0;
        return true;
    }

    /// <summary>Decodes the reply at <paramref name="position"/>, which <see cref="TryScan"/> has found complete.</summary>
    public static RedisReply Parse(ReadOnlySpan<byte> data, ref int position)
    {
        var lineEnd = data[position..].IndexOf("\r\n"u8);
        var type = data[position];
        var line = data.Slice(position + 1, lineEnd - 1);
        position += lineEnd + 2;
        switch (type)
        {
            case (byte)'+':
                return line.SequenceEqual("OK"u8) ? RedisReply.Ok
                    : line.SequenceEqual("PONG"u8) ? RedisReply.Pong
                    : RedisReply.Simple(Encoding.UTF8.GetString(line));
            case (byte)'-':
                return RedisReply.Error(Encoding.UTF8.GetString(line));
            case (byte)':':
                return RedisReply.Integer(ParseInteger(line));
            case (byte)'$':
                var size = (int)ParseLength(line, MaxBulkLength);
                if (size < 0)
                {
                    return RedisReply.NullBulk;
                }

                var payload = data.Slice(position, size).ToArray();
                if (!data.Slice(position + size, 2).SequenceEqual("\r\n"u8))
                {
                    throw ProtocolError("a bulk string is not followed by CRLF");
                }

                position += size + 2;
                return RedisReply.Bulk(payload);
            case (byte)'*':
                var count = (int)ParseLength(line, int.MaxValue);
                if (count < 0)
                {
                    return RedisReply.NullArray;
                }

                if (count == 0)
                {
                    return RedisReply.EmptyArray;
                }

                var items = new RedisReply[count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = Parse(data, ref position);
                }

                return RedisReply.Array(items);
            default:
                throw ProtocolError($"unexpected reply type byte 0x{type:x2}");
        }
    }

    private static long ParseLength(ReadOnlySpan<byte> line, long max)
    {
        var value = ParseInteger(line);
        return value >= -1 && value <= max ? value : throw ProtocolError($"invalid length {value}");
    }

    private static long ParseInteger(ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(line, out long value, out var used) && used == line.Length && line.Length > 0
            ? value
            : throw ProtocolError($"'{Encoding.UTF8.GetString(line)}' is not an integer");

    private static RedisConnectionException ProtocolError(string detail) => new("Redis protocol error: " + detail + ".");
}
