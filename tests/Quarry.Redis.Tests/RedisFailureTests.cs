using System.Diagnostics;

namespace Quarry.Redis.Tests;

public sealed class RedisFailureTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_command_without_a_reply_times_out_resets_the_connection_and_the_next_command_reconnects()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = new RedisClient(server.Options(o => o.CommandTimeout = TimeSpan.FromMilliseconds(200)));
        var clock = Stopwatch.StartNew();

        var blocked = client.ExecuteAsync("BLPOP", ["empty", 10], Token);
        var behind = client.ExecuteAsync("PING", [], Token);

        var timeout = await Assert.ThrowsAsync<RedisTimeoutException>(() => blocked);
        Assert.Contains("BLPOP", timeout.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<RedisConnectionException>(() => behind);
        Assert.Equal("PONG", (await client.ExecuteAsync("PING", [], Token)).AsString());
    }

    [Fact]
    public async Task A_server_busy_past_the_timeout_fails_pending_commands_and_a_longer_per_call_timeout_succeeds()
    {
        await using var server = await RedisServer.StartAsync("--enable-debug-command", "local");
        await using var client = new RedisClient(server.Options(o => o.CommandTimeout = TimeSpan.FromMilliseconds(200)));
        await client.ConnectAsync(Token);

        var sleep = client.ExecuteAsync("DEBUG", ["SLEEP", 1], Token);
        var others = Enumerable.Range(0, 50).Select(i => client.ExecuteAsync("ECHO", [i], Token)).ToList();

        await Assert.ThrowsAsync<RedisTimeoutException>(() => sleep);
        foreach (var other in others)
        {
            await Assert.ThrowsAsync<RedisConnectionException>(() => other);
        }

        // The server is still asleep; a per-call timeout longer than the sleep rides it out on a new connection.
        var reply = await client.ExecuteAsync("ECHO", ["awake"], TimeSpan.FromSeconds(10), Token);
        Assert.Equal("awake", reply.AsString());
    }

    [Fact]
    public async Task Pending_commands_fail_when_the_server_dies_and_the_client_recovers_with_auth_and_database()
    {
        string[] secured = ["--requirepass", "p@ss word"];
        await using var server = await RedisServer.StartAsync(secured);
        await using var client = new RedisClient(server.Options(o =>
        {
            o.Password = "p@ss word";
            o.Database = 3;
        }));
        await client.StringSetAsync("before", "1", cancellationToken: Token);

        var blocked = client.ExecuteAsync("BLPOP", ["nothing", 0], Timeout.InfiniteTimeSpan, Token);
        await using (var observer = new RedisClient(server.Options(o => o.Password = "p@ss word")))
        {
            await Eventually.BlockedClientsAsync(observer, 1);
        }

        await server.StopAsync();
        await Assert.ThrowsAsync<RedisConnectionException>(() => blocked);

        await server.StartAsync();
        await client.StringSetAsync("after", "2", cancellationToken: Token);

        Assert.Contains(" db=3 ", (await client.ExecuteAsync("CLIENT", ["INFO"], Token)).AsString(), StringComparison.Ordinal);
        await using var db0 = new RedisClient(server.Options(o => o.Password = "p@ss word"));
        Assert.Null(await db0.StringGetAsync("after", Token));
        Assert.Equal("2", (await db0.ExecuteAsync("EVAL", ["redis.call('SELECT', 3) return redis.call('GET', KEYS[1])", 1, "after"], Token)).AsString());
    }

    [Fact]
    public async Task A_command_issued_while_the_server_is_down_waits_for_it_to_come_back()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = new RedisClient(server.Options(o => o.ConnectTimeout = TimeSpan.FromSeconds(20)));
        await client.ExecuteAsync("PING", [], Token);
        Assert.True(client.IsConnected);
        await server.StopAsync();
        // A command sent before the client sees the close would fail (it may have reached the server), so wait for that.
        await Eventually.TrueAsync(() => Task.FromResult(!client.IsConnected), "the client to notice the server is gone");

        var ping = client.ExecuteAsync("PING", [], Token);
        var pushes = Enumerable.Range(0, 300).Select(i => client.ExecuteAsync("RPUSH", ["order", i], Token)).ToList();
        Assert.False(ping.IsCompleted);
        await server.StartAsync();

        Assert.Equal("PONG", (await ping).AsString());
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), (await Task.WhenAll(pushes)).Select(r => r.AsInt64()));
        var list = (await client.ExecuteAsync("LRANGE", ["order", 0, -1], Token)).AsArray()!;
        Assert.Equal(Enumerable.Range(0, 300), list.Select(r => (int)r.AsInt64()));
    }

    [Fact]
    public async Task Without_a_server_commands_fail_with_a_connection_error_after_the_connect_timeout()
    {
        var server = await RedisServer.StartAsync();
        var options = server.Options(o => o.ConnectTimeout = TimeSpan.FromMilliseconds(300));
        await server.DisposeAsync();
        await using var client = new RedisClient(options);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync("PING", [], Token));

        Assert.Contains($"127.0.0.1:{options.Port}", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync("PING", [], Token));
    }

    [Fact]
    public async Task Authenticates_with_the_password_and_explains_a_wrong_one()
    {
        await using var server = await RedisServer.StartAsync("--requirepass", "right");
        await using var good = new RedisClient($"redis://:right@127.0.0.1:{server.Port}");
        await using var wrong = new RedisClient($"redis://:wrong@127.0.0.1:{server.Port}");
        await using var none = new RedisClient(server.ConnectionString);

        Assert.Equal("PONG", (await good.ExecuteAsync("PING", [], Token)).AsString());
        var refused = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.ExecuteAsync("PING", [], Token));
        Assert.Contains("WRONGPASS", refused.Message, StringComparison.Ordinal);
        Assert.IsType<RedisServerException>(refused.InnerException);
        Assert.Equal("NOAUTH", (await Assert.ThrowsAsync<RedisServerException>(() => none.ExecuteAsync("GET", ["k"], Token))).ErrorCode);
    }
}
