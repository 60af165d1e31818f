using System.Diagnostics;

namespace Quarry.Redis.Tests;

public sealed class RedisClientTests(RedisServer server) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisClient _client = new(server.Options());

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    [Fact]
    public async Task Sets_and_gets_text()
    {
        await _client.StringSetAsync("greeting", "héllo wörld", cancellationToken: Token);

        Assert.Equal("héllo wörld", await _client.StringGetAsync("greeting", Token));
        Assert.Equal("OK", (await _client.ExecuteAsync("SET", ["greeting", "again"], Token)).AsString());
        Assert.Equal("again", (await _client.ExecuteAsync("GET", "greeting")).AsString());
    }

    [Fact]
    public async Task Round_trips_binary_values_with_crlf_and_every_byte()
    {
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n\r\n$3\r\n"u8.ToArray()).ToArray();
        var key = new byte[] { 0xff, (byte)'\r', (byte)'\n', 0 };

        await _client.ExecuteAsync("SET", [key, value], Token);

        Assert.Equal(value, (await _client.ExecuteAsync("GET", [key], Token)).AsBytes());
        Assert.Equal(value.Length, (await _client.ExecuteAsync("STRLEN", [key], Token)).AsInt64());
    }

    [Fact]
    public async Task Round_trips_a_one_mebibyte_value_alongside_small_commands()
    {
        var value = new byte[1024 * 1024];
        new Random(7).NextBytes(value);

        var set = _client.ExecuteAsync("SET", ["big", value], Token);
        var ping = _client.ExecuteAsync("PING", [], Token);
        var get = _client.ExecuteAsync("GET", ["big"], Token);
        var slice = _client.ExecuteAsync("GETRANGE", [(ReadOnlyMemory<byte>)"big"u8.ToArray(), 1000, 1009], Token);

        Assert.Equal("OK", (await set).AsString());
        Assert.Equal("PONG", (await ping).AsString());
        Assert.Equal(value, (await get).AsBytes());
        Assert.Equal(value.AsSpan(1000, 10).ToArray(), (await slice).AsBytes());
    }

    [Fact]
    public async Task Reports_nil_bulk_strings_and_nil_arrays()
    {
        var missing = await _client.ExecuteAsync("GET", ["no-such-key"], Token);
        Assert.Equal(RedisReplyKind.BulkString, missing.Kind);
        Assert.True(missing.IsNull);
        Assert.Null(missing.AsString());
        Assert.Null(missing.AsBytes());

        var timedOutPop = await _client.ExecuteAsync("BLPOP", ["no-such-list", 0.01], Token);
        Assert.Equal(RedisReplyKind.Array, timedOutPop.Kind);
        Assert.True(timedOutPop.IsNull);
        Assert.Null(timedOutPop.AsArray());

        Assert.Empty((await _client.ExecuteAsync("LRANGE", ["no-such-list", 0, -1], Token)).AsArray()!);
        Assert.Null(await _client.StringGetAsync("no-such-key", Token));
    }

    [Fact]
    public async Task Reads_integers_of_every_size()
    {
        await _client.ExecuteAsync("DEL", ["counter"], Token);

        Assert.Equal(-5, (await _client.ExecuteAsync("INCRBY", ["counter", -5], Token)).AsInt64());
        Assert.Equal(long.MaxValue - 5, (await _client.ExecuteAsync("INCRBY", ["counter", long.MaxValue], Token)).AsInt64());
        Assert.Equal(RedisReplyKind.Integer, (await _client.ExecuteAsync("EXISTS", ["counter"], Token)).Kind);
        Assert.Equal(long.MaxValue - 5, (await _client.ExecuteAsync("GET", ["counter"], Token)).AsInt64());
        Assert.Equal(1, (await _client.ExecuteAsync("DEL", ["counter"], Token)).AsInt64());
    }

    [Fact]
    public async Task Returns_nested_arrays_from_scripts_and_streams()
    {
        var script = await _client.EvalAsync("return {1, {KEYS[1], {ARGV[1], 3}}, 'x', {}}", ["k"], ["v"], Token);

        var items = script.AsArray()!;
        Assert.Equal(4, items.Length);
        Assert.Equal(1, items[0].AsInt64());
        var inner = items[1].AsArray()!;
        Assert.Equal("k", inner[0].AsString());
        Assert.Equal("v", inner[1].AsArray()![0].AsString());
        Assert.Equal(3, inner[1].AsArray()![1].AsInt64());
        Assert.Equal("x", items[2].AsString());
        Assert.Empty(items[3].AsArray()!);

        await _client.ExecuteAsync("DEL", ["events"], Token);
        var id = (await _client.ExecuteAsync("XADD", ["events", "*", "kind", "created", "job", "42"], Token)).AsString();
        var entries = (await _client.ExecuteAsync("XRANGE", ["events", "-", "+"], Token)).AsArray()!;
        var entry = Assert.Single(entries).AsArray()!;
        Assert.Equal(id, entry[0].AsString());
        Assert.Equal(["kind", "created", "job", "42"], entry[1].AsArray()!.Select(f => f.AsString()));
    }

    [Fact]
    public async Task Throws_server_errors_and_keeps_the_connection_usable()
    {
        await _client.ExecuteAsync("SET", ["plain", "x"], Token);

        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => _client.ExecuteAsync("LPUSH", ["plain", "y"], Token));
        var unknown = _client.ExecuteAsync("NOSUCHCOMMAND", [], Token);
        var after = _client.ExecuteAsync("GET", ["plain"], Token);

        Assert.Equal("WRONGTYPE", wrongType.ErrorCode);
        Assert.StartsWith("WRONGTYPE Operation against a key holding the wrong kind of value", wrongType.Message, StringComparison.Ordinal);
        Assert.Equal("ERR", (await Assert.ThrowsAsync<RedisServerException>(() => unknown)).ErrorCode);
        Assert.Equal("x", (await after).AsString());
    }

    [Fact]
    public async Task Ten_thousand_concurrent_increments_each_get_their_own_reply_in_few_writes()
    {
        const int count = 10_000;
        await _client.ExecuteAsync("DEL", ["hits"], Token);
        await _client.ConnectAsync(Token);
        var flushesBefore = _client.FlushCount;
        var clock = Stopwatch.StartNew();

        var replies = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => _client.ExecuteAsync("INCR", "hits")));

        clock.Stop();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), replies.Select(r => r.AsInt64()).Order());
        Assert.Equal(count, (await _client.ExecuteAsync("GET", ["hits"], Token)).AsInt64());
        Assert.InRange(_client.FlushCount - flushesBefore, 1, count / 4);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Replies_reach_concurrent_callers_in_order_from_many_threads()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Task.Run(async () =>
            (i, (await _client.ExecuteAsync("ECHO", [$"message-{i}"], Token)).AsString()))));

        Assert.All(results, r => Assert.Equal($"message-{r.i}", r.Item2));
    }

    [Fact]
    public async Task A_batch_is_sent_together_and_each_command_gets_its_reply()
    {
        await _client.ExecuteAsync("DEL", ["batch:list", "batch:text"], Token);
        var batch = _client.CreateBatch();
        var pushes = Enumerable.Range(0, 100).Select(i => batch.Add("RPUSH", "batch:list", i)).ToList();
        var set = batch.Add("SET", "batch:text", "t");
        var wrong = batch.Add("INCR", "batch:text");
        var range = batch.Add("LRANGE", "batch:list", 0, -1);
        Assert.Equal(103, batch.Count);

        Assert.False(pushes[0].IsCompleted);
        await Assert.ThrowsAsync<RedisServerException>(() => batch.ExecuteAsync(Token));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), pushes.Select(p => p.Result.AsInt64()));
        Assert.Equal("OK", (await set).AsString());
        Assert.Equal("ERR", (await Assert.ThrowsAsync<RedisServerException>(() => wrong)).ErrorCode);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()), (await range).AsArray()!.Select(r => r.AsString()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => batch.ExecuteAsync(Token));
    }

    [Fact]
    public async Task Hash_helpers_store_and_read_a_job_record()
    {
        await _client.ExecuteAsync("DEL", ["job:1"], Token);

        var added = await _client.HashSetAsync("job:1", [("state", "queued"), ("attempts", 0), ("payload", new byte[] { 1, 2 })], Token);
        var updated = await _client.HashSetAsync("job:1", [("state", "running")], Token);
        var job = await _client.HashGetAllAsync("job:1", Token);

        Assert.Equal(3, added);
        Assert.Equal(0, updated);
        Assert.Equal("running", job["state"]);
        Assert.Equal("0", job["attempts"]);
        Assert.Equal(3, job.Count);
        Assert.Empty(await _client.HashGetAllAsync("job:none", Token));
    }

    [Fact]
    public async Task Selects_the_database_from_the_connection_string()
    {
        await using var db5 = new RedisClient(server.ConnectionString + "/5");
        await db5.StringSetAsync("only-in-5", "yes", cancellationToken: Token);

        Assert.Null(await _client.StringGetAsync("only-in-5", Token));
        Assert.Equal("yes", await db5.StringGetAsync("only-in-5", Token));
        Assert.Contains(" db=5 ", (await db5.ExecuteAsync("CLIENT", ["INFO"], Token)).AsString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expiry_is_sent_in_milliseconds()
    {
        await _client.StringSetAsync("ttl", "v", TimeSpan.FromSeconds(30), Token);

        Assert.InRange((await _client.ExecuteAsync("PTTL", ["ttl"], Token)).AsInt64(), 29_000, 30_000);
    }

    [Fact]
    public async Task Commands_after_dispose_are_refused()
    {
        var client = new RedisClient(server.Options());
        await client.ExecuteAsync("PING", [], Token);
        await client.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => { _ = client.ExecuteAsync("PING"); });
    }
}
