namespace Quarry.Jobs;

/// <summary>Where jobs are kept.</summary>
public enum JobBackendKind
{
    /// <summary>SQLite in the data dir; workers in-process or in processes sharing the data dir.</summary>
    Embedded,

    /// <summary>Redis (streams and hashes).</summary>
    Redis,

    /// <summary>RabbitMQ for delivery, PostgreSQL for the records.</summary>
    RabbitMq,
}

/// <summary>Settings of the job system, bound from <c>Quarry:Jobs</c> (<c>Quarry__Jobs__...</c>); checked by <see cref="JobsOptionsValidator"/>.</summary>
public sealed class JobsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Jobs";

    /// <summary><c>embedded</c> (SQLite in the data dir, workers in-process), <c>redis</c> or <c>rabbitmq</c>.</summary>
    public JobBackendKind Backend { get; set; } = JobBackendKind.Embedded;

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

    /// <summary>A copy with another <see cref="Prefix"/>, for a capability that keeps its own queue on the same engine.</summary>
    public JobsOptions WithPrefix(string prefix) => new()
    {
        Backend = Backend, Redis = Redis, RedisCaCertificate = RedisCaCertificate, RabbitMq = RabbitMq, Postgres = Postgres,
        ServeWorkers = ServeWorkers, LeaseDuration = LeaseDuration, MaxAttempts = MaxAttempts, RetryDelay = RetryDelay, Prefix = prefix,
    };

    /// <summary>Attempts before a failing job is marked failed.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles with each further attempt (with jitter), capped at 5 minutes.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Prefix of keys, tables and queues, so deployments can share engines.</summary>
    public string Prefix { get; set; } = "quarry";
}
