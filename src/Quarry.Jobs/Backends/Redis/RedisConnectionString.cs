using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Quarry.Jobs.Backends.Redis;

/// <summary>
/// Reads <c>Quarry__Jobs__Redis</c>: <c>redis://</c> or <c>rediss://</c> (TLS) <c>[[user]:password@]host[:port][/db]</c>,
/// <c>redis+sentinel://</c> or <c>rediss+sentinel://</c> <c>[[user]:password@]host[:port][,host[:port]...]/service[/db]</c>,
/// or a StackExchange.Redis configuration string (<c>host:port,password=...,ssl=true</c>).
/// </summary>
public static class RedisConnectionString
{
    private const int DefaultPort = 6379;
    private const int DefaultSentinelPort = 26379;

    /// <summary>Client options for <paramref name="connection"/>; <paramref name="caCertificatePath"/> (PEM) is trusted as an issuer of the server's TLS certificate.</summary>
    public static ConfigurationOptions Parse(string connection, string? caCertificatePath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        var separator = connection.IndexOf("://", StringComparison.Ordinal);
        var options = separator < 0 ? ParseNative(connection) : ParseUri(connection[..separator].ToLowerInvariant(), connection[(separator + 3)..]);
        if (!string.IsNullOrWhiteSpace(caCertificatePath))
        {
            if (!File.Exists(caCertificatePath))
            {
                throw new ArgumentException($"Quarry__Jobs__RedisCaCertificate names '{caCertificatePath}', which does not exist.");
            }

            options.TrustIssuer(caCertificatePath);
        }

        // Commands fail at once while the server is unreachable (the API answers 503, workers back off) and the
        // client keeps reconnecting in the background, following a Sentinel failover to the new primary.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.ClientName ??= "quarry";
        return options;
    }

    private static ConfigurationOptions ParseNative(string connection)
    {
        try
        {
            return ConfigurationOptions.Parse(connection);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Quarry__Jobs__Redis is neither a redis:// address nor a StackExchange.Redis configuration: {e.Message}");
        }
    }

    private static ConfigurationOptions ParseUri(string scheme, string rest)
    {
        var (tls, sentinel) = scheme switch
        {
            "redis" => (false, false),
            "rediss" => (true, false),
            "redis+sentinel" => (false, true),
            "rediss+sentinel" => (true, true),
            _ => throw new ArgumentException($"Quarry__Jobs__Redis must start with redis://, rediss://, redis+sentinel:// or rediss+sentinel://; got '{scheme}://'."),
        };
        var options = new ConfigurationOptions { Ssl = tls };
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            rest = rest[..query];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = authority[..at];
            authority = authority[(at + 1)..];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? credentials : credentials[..colon]);
            options.User = user.Length == 0 ? null : user;
            options.Password = colon < 0 ? null : Uri.UnescapeDataString(credentials[(colon + 1)..]);
        }

        foreach (var host in authority.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.EndPoints.Add(EndPoint(host, sentinel ? DefaultSentinelPort : DefaultPort));
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException("Quarry__Jobs__Redis names no host.");
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (sentinel)
        {
            if (segments.Length == 0)
            {
                throw new ArgumentException("Quarry__Jobs__Redis with redis+sentinel:// needs the service name as its path, e.g. redis+sentinel://127.0.0.1:26379/mymaster.");
            }

            options.ServiceName = Uri.UnescapeDataString(segments[0]);
            segments = segments[1..];
        }

        if (segments.Length > 1 || (segments.Length == 1 && !int.TryParse(segments[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new ArgumentException($"Quarry__Jobs__Redis ends in '/{path}'; only a database number may follow the host{(sentinel ? " and service name" : string.Empty)}.");
        }

        if (segments.Length == 1)
        {
            options.DefaultDatabase = int.Parse(segments[0], CultureInfo.InvariantCulture);
        }

        return options;
    }

    private static EndPoint EndPoint(string host, int defaultPort)
    {
        var port = defaultPort;
        var name = host;
        var close = host.LastIndexOf(']');
        var colon = host.LastIndexOf(':');
        if (colon > close && (close >= 0 || host.IndexOf(':', StringComparison.Ordinal) == colon))
        {
            if (!int.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"Quarry__Jobs__Redis has '{host}', whose port is not a number from 1 to 65535.");
            }

            name = host[..colon];
        }

        name = name.Trim('[', ']');
        return IPAddress.TryParse(name, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(name, port);
    }
}
