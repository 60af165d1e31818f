using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Embedded;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Backends.Redis;
using Quarry.TestSupport.Servers;

namespace Quarry.Bench.Jobs;

/// <summary>The engines one backend needs, started on 127.0.0.1 by the test fixtures and stopped by their PIDs.</summary>
internal sealed class BenchEngines : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("quarry-bench-jobs-").FullName;

    private BenchEngines(string backend) => Backend = backend;

    public string Backend { get; }

    public RedisServer? Redis { get; private set; }

    public PostgresServer? Postgres { get; private set; }

    public RabbitMqServer? RabbitMq { get; private set; }

    /// <summary>Root PIDs of the engine processes (their children are counted with them).</summary>
    public IReadOnlyList<int> Pids => new[] { Redis?.Pid, Postgres?.Pid, RabbitMq?.Pid }.OfType<int>().ToArray();

    public string DatabasePath => Path.Combine(_dataDir, JobBackendFactory.EmbeddedFileName);

    public static async Task<BenchEngines> StartAsync(string backend)
    {
        var engines = new BenchEngines(backend);
        try
        {
            switch (backend)
            {
                case "redis":
                    engines.Redis = new RedisServer();
                    await engines.Redis.InitializeAsync();
                    break;
                case "rabbitmq":
                    engines.RabbitMq = new RabbitMqServer();
                    engines.Postgres = new PostgresServer { Settings = ["shared_preload_libraries=pg_stat_statements"] };
                    await engines.RabbitMq.InitializeAsync();
                    await engines.Postgres.InitializeAsync();
                    break;
            }

            return engines;
        }
        catch
        {
            await engines.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of this backend in the namespace <paramref name="prefix"/>.</summary>
    public IJobBackend CreateClient(string prefix)
    {
        var options = new JobBackendOptions { Prefix = prefix };
        return Backend switch
        {
            "redis" => new RedisJobBackend(Redis!.ConnectionString, options),
            "rabbitmq" => new RabbitMqJobBackend(RabbitMq!.Uri.ToString(), Postgres!.ConnectionString, options),
            _ => new SqliteJobBackend(DatabasePath, options),
        };
    }

    /// <summary>The environment that points a <c>quarry worker</c> at the same engines and namespace.</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment(string prefix)
    {
        var environment = new Dictionary<string, string>
        {
            ["Quarry__Jobs__Backend"] = Backend,
            ["Quarry__Jobs__Prefix"] = prefix,
            ["QUARRY_DATA_DIR"] = _dataDir,
        };
        if (Redis is not null)
        {
            environment["Quarry__Jobs__Redis"] = Redis.ConnectionString;
        }

        if (RabbitMq is not null && Postgres is not null)
        {
            environment["Quarry__Jobs__RabbitMq"] = RabbitMq.Uri.ToString();
            environment["Quarry__Jobs__Postgres"] = Postgres.ConnectionString;
        }

        return environment;
    }

    /// <summary>CPU seconds used so far by the engine processes and their children.</summary>
    public double CpuSeconds() => Pids.Sum(ProcessCpu.Tree);

    public async ValueTask DisposeAsync()
    {
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (RabbitMq is not null)
        {
            await RabbitMq.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
