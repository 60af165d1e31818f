using Quarry.Jobs.Backends.Embedded;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Backends.Redis;

namespace Quarry.Jobs.Backends;

/// <summary>Creates the backend the configuration names.</summary>
public static class JobBackendFactory
{
    /// <summary>File name of the embedded database inside the data directory.</summary>
    public const string EmbeddedFileName = "jobs.db";

    /// <summary>The backend for <paramref name="options"/>; the embedded one lives in <paramref name="dataDir"/>.</summary>
    public static IJobBackend Create(JobsOptions options, string dataDir, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new JobBackendOptions { LeaseDuration = options.LeaseDuration, Prefix = options.Prefix, Clock = clock };
        return options.Backend switch
        {
            JobBackendKind.Redis => new RedisJobBackend(options.Redis!, settings, options.RedisCaCertificate),
            JobBackendKind.RabbitMq => new RabbitMqJobBackend(options.RabbitMq!, options.Postgres!, settings),
            _ => new SqliteJobBackend(Path.Combine(dataDir, EmbeddedFileName), settings),
        };
    }
}
