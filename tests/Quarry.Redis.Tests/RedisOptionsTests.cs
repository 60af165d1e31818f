namespace Quarry.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Fact]
    public void Parses_host_port_password_and_database()
    {
        var options = RedisOptions.Parse("redis://:s%40cret@10.1.2.3:6380/4");

        Assert.Equal("10.1.2.3", options.Host);
        Assert.Equal(6380, options.Port);
        Assert.Null(options.User);
        Assert.Equal("s@cret", options.Password);
        Assert.Equal(4, options.Database);
    }

    [Fact]
    public void Defaults_the_port_and_database_and_reads_a_user()
    {
        var options = RedisOptions.Parse("redis://worker:pw@cache.internal");

        Assert.Equal("cache.internal", options.Host);
        Assert.Equal(6379, options.Port);
        Assert.Equal("worker", options.User);
        Assert.Equal("pw", options.Password);
        Assert.Equal(0, options.Database);
    }

    [Fact]
    public void Reads_timeouts_from_the_query()
    {
        var options = RedisOptions.Parse("redis://127.0.0.1:7000?connectTimeout=250&commandTimeout=1500");

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.CommandTimeout);
        Assert.Null(options.Password);
    }

    [Theory]
    [InlineData("127.0.0.1:6379")]
    [InlineData("http://127.0.0.1:6379")]
    [InlineData("rediss://127.0.0.1:6379")]
    [InlineData("redis://127.0.0.1:6379/x")]
    [InlineData("redis://127.0.0.1:6379?commandTimeout=0")]
    [InlineData("redis://127.0.0.1:6379?retries=3")]
    public void Rejects_malformed_connection_strings(string connectionString) =>
        Assert.Throws<FormatException>(() => RedisOptions.Parse(connectionString));

    [Fact]
    public void Never_prints_the_password()
    {
        var options = RedisOptions.Parse("redis://:hunter2@127.0.0.1:6379/2");

        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
        var error = Assert.Throws<FormatException>(() => RedisOptions.Parse("rediss://:hunter2@127.0.0.1:6379"));
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_rejects_invalid_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisClient(new RedisOptions { Port = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisClient(new RedisOptions { ConnectTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisClient(new RedisOptions { Database = -1 }));
    }
}
