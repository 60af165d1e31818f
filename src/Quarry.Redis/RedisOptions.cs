using System.Globalization;

namespace Quarry.Redis;

/// <summary>Where and how a <see cref="RedisClient"/> connects.</summary>
public sealed class RedisOptions
{
    public const int DefaultPort = 6379;

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = DefaultPort;

    /// <summary>ACL user name; null authenticates as the default user (plain <c>AUTH password</c>).</summary>
    public string? User { get; set; }

    /// <summary>Password sent with AUTH on every (re)connect; null sends no AUTH.</summary>
    public string? Password { get; set; }

    /// <summary>Database selected with SELECT on every (re)connect.</summary>
    public int Database { get; set; }

    /// <summary>How long a command may wait for a connection, including reconnect attempts with backoff.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a command may wait for its reply once sent; a timeout resets the connection.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Parses <c>redis://[[user]:password@]host[:port][/database][?connectTimeout=ms&amp;commandTimeout=ms]</c>;
    /// user and password are percent-decoded.
    /// </summary>
    public static RedisOptions Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme != "redis")
        {
            throw new FormatException($"'{Redact(connectionString)}' is not a redis://host:port URI.");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("The Redis connection string has no host.");
        }

        var options = new RedisOptions { Host = uri.IdnHost, Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? string.Empty : Uri.UnescapeDataString(uri.UserInfo[..colon]);
            options.User = user.Length == 0 ? null : user;
            options.Password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options.Database = int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database)
                ? database
                : throw new FormatException($"'{path}' is not a Redis database number.");
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], pair[(eq + 1)..]) : (pair, string.Empty);
            var milliseconds = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms)
                : throw new FormatException($"Redis option '{name}' needs a positive number of milliseconds.");
            switch (name.ToLowerInvariant())
            {
                case "connecttimeout":
                    options.ConnectTimeout = milliseconds;
                    break;
                case "commandtimeout":
                    options.CommandTimeout = milliseconds;
                    break;
                default:
                    throw new FormatException($"Unknown Redis option '{name}' (known: connectTimeout, commandTimeout).");
            }
        }

        return options;
    }

    public override string ToString()
    {
        var credentials = Password is null ? string.Empty : (User is null ? ":***@" : User + ":***@");
        return $"redis://{credentials}{Host}:{Port}/{Database}";
    }

    internal RedisOptions Validated()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host, nameof(Host));
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfNegative(Database, nameof(Database));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        if (CommandTimeout <= TimeSpan.Zero && CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(CommandTimeout), CommandTimeout, "CommandTimeout must be positive or infinite.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));

        // A private copy, so later changes to the caller's object cannot affect live connections.
        return (RedisOptions)MemberwiseClone();
    }

    private static string Redact(string connectionString)
    {
        var at = connectionString.LastIndexOf('@');
        var scheme = connectionString.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? connectionString[..(scheme + 3)] + "***" + connectionString[at..] : connectionString;
    }
}
