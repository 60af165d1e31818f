using System.Text;
using Quarry.Redis.Protocol;

namespace Quarry.Redis.Tests;

public sealed class RespProtocolTests
{
    [Fact]
    public void Encodes_every_argument_kind_as_a_bulk_string()
    {
        var buffer = new WriteBuffer();
        RespWriter.WriteCommand(buffer, "CMD", ["é", new byte[] { 0, 13, 10 }, -42L, 7, 1.5, double.PositiveInfinity]);

        var expected = "*7\r\n$3\r\nCMD\r\n$2\r\né\r\n$3\r\n\0\r\n\r\n$3\r\n-42\r\n$1\r\n7\r\n$3\r\n1.5\r\n$4\r\n+inf\r\n";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), buffer.WrittenSpan.ToArray());
        buffer.Release();
    }

    [Fact]
    public void Finds_a_reply_complete_only_when_every_byte_has_arrived()
    {
        var reply = Encoding.ASCII.GetBytes("*4\r\n+OK\r\n:-7\r\n$5\r\na\r\nbc\r\n*2\r\n$-1\r\n*-1\r\n");

        for (var cut = 0; cut < reply.Length; cut++)
        {
            Assert.False(RespParser.TryScan(reply.AsSpan(0, cut), out _, out var needed), $"complete at {cut} bytes");
            Assert.InRange(needed, cut + 1, reply.Length);
        }

        var withNext = reply.Concat("+PONG\r\n"u8.ToArray()).ToArray();
        Assert.True(RespParser.TryScan(withNext, out var length, out _));
        Assert.Equal(reply.Length, length);

        var position = 0;
        var items = RespParser.Parse(withNext, ref position).AsArray()!;
        Assert.Equal(reply.Length, position);
        Assert.Equal("OK", items[0].AsString());
        Assert.Equal(-7, items[1].AsInt64());
        Assert.Equal("a\r\nbc", items[2].AsString());
        Assert.True(items[3].AsArray()![0].IsNull);
        Assert.Equal(RedisReplyKind.BulkString, items[3].AsArray()![0].Kind);
        Assert.True(items[3].AsArray()![1].IsNull);
        Assert.Equal(RedisReplyKind.Array, items[3].AsArray()![1].Kind);
    }

    [Fact]
    public void Reports_how_much_of_a_large_bulk_string_is_still_missing()
    {
        var header = Encoding.ASCII.GetBytes("$1000000\r\n");

        Assert.False(RespParser.TryScan(header, out _, out var needed));
        Assert.Equal(header.Length + 1_000_000 + 2, needed);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("*-5\r\n")]
    public void Rejects_a_corrupt_stream(string data) =>
        Assert.Throws<RedisConnectionException>(() => RespParser.TryScan(Encoding.ASCII.GetBytes(data), out _, out _));
}
