namespace Quarry.Redis.Tests;

public sealed class RedisBlockingTests(RedisServer server) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisClient _client = new(server.Options());

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    [Fact]
    public async Task A_reliable_queue_moves_a_job_on_a_dedicated_connection_while_the_shared_one_keeps_serving()
    {
        await _client.ExecuteAsync("DEL", ["jobs:ready", "jobs:processing"], Token);
        await using var worker = await _client.OpenDedicatedAsync(Token);
        Assert.True(worker.IsDedicated);

        var take = worker.BlockingListMoveAsync("jobs:ready", "jobs:processing", RedisListSide.Right, RedisListSide.Left, TimeSpan.FromSeconds(10), Token);
        await Eventually.BlockedClientsAsync(_client, 1);

        var served = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _client.ExecuteAsync("ECHO", [i], Token)));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), served.Select(r => r.AsInt64()));
        Assert.False(take.IsCompleted);

        await _client.ExecuteAsync("LPUSH", ["jobs:ready", "job-1"], Token);

        Assert.Equal("job-1", await take);
        Assert.Equal(["job-1"], (await _client.ExecuteAsync("LRANGE", ["jobs:processing", 0, -1], Token)).AsArray()!.Select(r => r.AsString()));
        Assert.Equal(1, (await _client.ExecuteAsync("LREM", ["jobs:processing", 1, "job-1"], Token)).AsInt64());
        Assert.Equal(0, (await _client.ExecuteAsync("LLEN", ["jobs:ready"], Token)).AsInt64());
        Assert.Equal(0, (await _client.ExecuteAsync("LLEN", ["jobs:processing"], Token)).AsInt64());
    }

    [Fact]
    public async Task A_block_longer_than_the_command_timeout_returns_null_instead_of_timing_out()
    {
        await using var client = new RedisClient(server.Options(o => o.CommandTimeout = TimeSpan.FromMilliseconds(200)));
        await using var worker = await client.OpenDedicatedAsync(Token);

        var moved = await worker.BlockingListMoveAsync("empty:ready", "empty:processing", RedisListSide.Right, RedisListSide.Left, TimeSpan.FromMilliseconds(700), Token);

        Assert.Null(moved);
        Assert.Equal("PONG", (await worker.ExecuteAsync("PING", [], Token)).AsString());
    }

    [Fact]
    public async Task Blocking_helpers_refuse_the_shared_client()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _client.BlockingListMoveAsync("a", "b", RedisListSide.Right, RedisListSide.Left, TimeSpan.FromSeconds(1), Token));

        Assert.Contains("OpenDedicatedAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_move_returns_the_element_or_null()
    {
        await _client.ExecuteAsync("DEL", ["lm:src", "lm:dst"], Token);
        await _client.ExecuteAsync("RPUSH", ["lm:src", "a", "b"], Token);

        Assert.Equal("a", await _client.ListMoveAsync("lm:src", "lm:dst", RedisListSide.Left, RedisListSide.Right, Token));
        Assert.Equal("b", await _client.ListMoveAsync("lm:src", "lm:dst", RedisListSide.Left, RedisListSide.Right, Token));
        Assert.Null(await _client.ListMoveAsync("lm:src", "lm:dst", RedisListSide.Left, RedisListSide.Right, Token));
        Assert.Equal(["a", "b"], (await _client.ExecuteAsync("LRANGE", ["lm:dst", 0, -1], Token)).AsArray()!.Select(r => r.AsString()));
    }

    [Fact]
    public async Task A_consumer_group_reads_a_stream_entry_with_a_blocking_read_on_a_dedicated_connection()
    {
        await _client.ExecuteAsync("DEL", ["stream:jobs"], Token);
        await _client.ExecuteAsync("XGROUP", ["CREATE", "stream:jobs", "workers", "$", "MKSTREAM"], Token);
        await using var worker = await _client.OpenDedicatedAsync(Token);

        var read = worker.ExecuteAsync(
            "XREADGROUP", ["GROUP", "workers", "w1", "COUNT", 1, "BLOCK", 10_000, "STREAMS", "stream:jobs", ">"], TimeSpan.FromSeconds(15), Token);
        await Eventually.BlockedClientsAsync(_client, 1);
        var id = (await _client.ExecuteAsync("XADD", ["stream:jobs", "*", "job", "7"], Token)).AsString();

        var stream = Assert.Single((await read).AsArray()!).AsArray()!;
        Assert.Equal("stream:jobs", stream[0].AsString());
        var entry = Assert.Single(stream[1].AsArray()!).AsArray()!;
        Assert.Equal(id, entry[0].AsString());
        Assert.Equal(["job", "7"], entry[1].AsArray()!.Select(f => f.AsString()));
        Assert.Equal(1, (await _client.ExecuteAsync("XACK", ["stream:jobs", "workers", id!], Token)).AsInt64());
    }
}
