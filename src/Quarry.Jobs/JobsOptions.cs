namespace Quarry.Jobs;

/// <summary>Settings of the job system, bound from <c>Quarry:Jobs</c> (<c>Quarry__Jobs__...</c>).</summary>
public sealed class JobsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Jobs";

    /// <summary><c>embedded</c> (SQLite in the data dir, workers in-process), <c>redis</c> or <c>rabbitmq</c>.</summary>
    public string Backend { get; set; } = "embedded";

    /// <summary>
    /// Redis for the <c>redis</c> backend: <c>redis://</c> or <c>rediss://</c> (TLS) <c>[[user]:password@]host[:port][/db]</c>,
    /// <c>redis+sentinel://host:26379[,host:26379...]/service[/db]</c>, or a StackExchange.Redis configuration string.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>A PEM certificate trusted as the issuer of the Redis server's TLS certificate (for a private CA or a self-signed one).</summary>
    public string? RedisCaCertificate { get; set; }

    /// <summary>AMQP URI for the <c>rabbitmq</c> backend: <c>amqp://user:password@host:5672/</c>.</summary>
    public string? RabbitMq { get; set; }

    /// <summary>PostgreSQL connection string for the <c>rabbitmq</c> backend's records.</summary>
    public string? Postgres { get; set; }

    /// <summary>
    /// Jobs <c>quarry serve</c> runs at once in-process; null means 4 with the embedded backend and 0 (leave it to
    /// <c>quarry worker</c> processes) with a distributed one.
    /// </summary>
    public int? ServeWorkers { get; set; }

    /// <summary>How long a job stays leased to a silent worker before another may take it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts before a failing job is marked failed.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles with each further attempt (with jitter), capped at 5 minutes.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Prefix of keys, tables and queues, so deployments can share engines.</summary>
    public string Prefix { get; set; } = "quarry";

    /// <summary>The backend name, checked; names the variable to set when it is unknown or incomplete.</summary>
    public string Validate()
    {
        var backend = Backend.Trim().ToLowerInvariant();
        return backend switch
        {
            "embedded" => backend,
            "redis" when !string.IsNullOrWhiteSpace(Redis) => CheckRedis(backend),
            "redis" => throw new InvalidOperationException("Quarry__Jobs__Backend=redis needs Quarry__Jobs__Redis (e.g. redis://127.0.0.1:6379)."),
            "rabbitmq" when !string.IsNullOrWhiteSpace(RabbitMq) && !string.IsNullOrWhiteSpace(Postgres) => backend,
            "rabbitmq" => throw new InvalidOperationException(
                "Quarry__Jobs__Backend=rabbitmq needs Quarry__Jobs__RabbitMq (amqp://...) and Quarry__Jobs__Postgres (a PostgreSQL connection string)."),
            _ => throw new InvalidOperationException($"Quarry__Jobs__Backend must be embedded, redis or rabbitmq; got '{Backend}'."),
        };
    }

    private string CheckRedis(string backend)
    {
        try
        {
            _ = Backends.Redis.RedisConnectionString.Parse(Redis!, RedisCaCertificate);
            return backend;
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
