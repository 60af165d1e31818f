namespace Quarry.Redis.Tests;

public sealed class RedisCancellationTests(RedisServer server) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisClient _client = new(server.Options());

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    [Fact]
    public async Task A_command_cancelled_before_sending_is_never_sent()
    {
        await _client.ExecuteAsync("DEL", ["never"], Token);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var attempt = _client.ExecuteAsync("SET", ["never", "x"], cancelled.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt);
        Assert.Equal(0, (await _client.ExecuteAsync("EXISTS", ["never"], Token)).AsInt64());
    }

    [Fact]
    public async Task Cancelling_a_sent_command_drops_its_reply_and_keeps_later_replies_aligned()
    {
        await _client.ExecuteAsync("DEL", ["cancel:queue"], Token);
        await _client.StringSetAsync("cancel:value", "expected", cancellationToken: Token);
        await using var observer = new RedisClient(server.Options());
        using var cts = new CancellationTokenSource();

        var pop = _client.ExecuteAsync("BLPOP", ["cancel:queue", 4], cts.Token);
        await Eventually.BlockedClientsAsync(observer, 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pop);

        // Queued behind the cancelled BLPOP: it must get GET's reply, not the BLPOP's.
        var get = _client.ExecuteAsync("GET", ["cancel:value"], Token);
        await observer.ExecuteAsync("RPUSH", ["cancel:queue", "item"], Token);

        Assert.Equal("expected", (await get).AsString());
        Assert.Equal(0, (await observer.ExecuteAsync("LLEN", ["cancel:queue"], Token)).AsInt64());
    }

    [Fact]
    public async Task Random_cancellations_never_misalign_other_replies()
    {
        var random = new Random(11);
        var sources = new List<CancellationTokenSource>();
        var calls = new List<(int Index, Task<RedisReply> Reply)>();
        for (var i = 0; i < 3_000; i++)
        {
            var cts = new CancellationTokenSource();
            sources.Add(cts);
            calls.Add((i, _client.ExecuteAsync("ECHO", [i], cts.Token)));
            if (random.Next(3) == 0)
            {
                await sources[random.Next(sources.Count)].CancelAsync();
            }
        }

        var cancelled = 0;
        foreach (var (index, reply) in calls)
        {
            try
            {
                Assert.Equal(index, (await reply).AsInt64());
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
        }

        Assert.InRange(cancelled, 1, calls.Count - 1);
        Assert.Equal("PONG", (await _client.ExecuteAsync("PING", [], Token)).AsString());
        sources.ForEach(s => s.Dispose());
    }
}
