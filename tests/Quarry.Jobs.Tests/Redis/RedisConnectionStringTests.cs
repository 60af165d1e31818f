using System.Net;
using Quarry.Jobs.Backends.Redis;

namespace Quarry.Jobs.Tests.Redis;

public sealed class RedisConnectionStringTests
{
    [Fact]
    public void Plain_and_tls_addresses_carry_user_password_and_database()
    {
        var plain = RedisConnectionString.Parse("redis://127.0.0.1");
        Assert.Equal((false, null, null, null), (plain.Ssl, plain.User, plain.Password, plain.DefaultDatabase));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6379), Assert.Single(plain.EndPoints));

        var tls = RedisConnectionString.Parse("rediss://quarry:p%40ss:word@cache.example:6380/3");
        Assert.Equal((true, "quarry", "p@ss:word", 3), (tls.Ssl, tls.User, tls.Password, tls.DefaultDatabase));
        Assert.Equal(new DnsEndPoint("cache.example", 6380), Assert.Single(tls.EndPoints));

        var passwordOnly = RedisConnectionString.Parse("redis://:secret@[::1]:7000");
        Assert.Equal((null, "secret"), (passwordOnly.User, passwordOnly.Password));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 7000), Assert.Single(passwordOnly.EndPoints));
    }

    [Fact]
    public void Sentinel_addresses_list_sentinels_and_name_the_service()
    {
        var options = RedisConnectionString.Parse("rediss+sentinel://app:pw@10.0.0.1,10.0.0.2:26380/mymaster/2");
        Assert.Equal(("mymaster", 2, true, "app", "pw"), (options.ServiceName, options.DefaultDatabase, options.Ssl, options.User, options.Password));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.1"), 26379), new IPEndPoint(IPAddress.Parse("10.0.0.2"), 26380)], options.EndPoints.ToArray());
    }

    [Fact]
    public void A_native_configuration_string_is_accepted()
    {
        var options = RedisConnectionString.Parse("127.0.0.1:6390,password=x,ssl=true");
        Assert.Equal(("x", true), (options.Password, options.Ssl));
    }

    [Theory]
    [InlineData("http://127.0.0.1")]
    [InlineData("redis://")]
    [InlineData("redis://127.0.0.1:99999")]
    [InlineData("redis://127.0.0.1/db")]
    [InlineData("redis+sentinel://127.0.0.1")]
    public void Malformed_addresses_name_the_setting(string connection)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisConnectionString.Parse(connection));
        Assert.Contains("Quarry__Jobs__Redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_ca_certificate_file_names_its_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisConnectionString.Parse("rediss://127.0.0.1", "/no/such/ca.crt"));
        Assert.Contains("Quarry__Jobs__RedisCaCertificate", error.Message, StringComparison.Ordinal);
    }
}
