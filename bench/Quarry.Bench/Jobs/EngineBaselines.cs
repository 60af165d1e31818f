using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;
using RabbitMQ.Client;

namespace Quarry.Bench.Jobs;

/// <summary>Raw round trips of each engine through the same client libraries, so job rates can be read against them.</summary>
internal static partial class EngineBaselines
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    public static async Task<string> MeasureAsync(BenchEngines engines) => engines.Backend switch
    {
        "redis" => await RedisBenchmarkAsync(engines.Redis!.Port),
        "rabbitmq" => await RabbitMqAsync(engines.RabbitMq!.Uri) + "; " + await PostgresAsync(engines.Postgres!.ConnectionString),
        _ => SqliteCommits(Path.Combine(Path.GetDirectoryName(engines.DatabasePath)!, "baseline.db")),
    };

    /// <summary><c>redis-benchmark -q -n 100000 -t lpush,lpop,set -P 1</c> against the suite's server.</summary>
    private static async Task<string> RedisBenchmarkAsync(int port)
    {
        var info = new ProcessStartInfo("redis-benchmark") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "-n", "100000", "-t", "lpush,lpop,set", "-P", "1" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-benchmark");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rates = RedisRate().Matches(output).Select(m => $"{m.Groups[1].Value} {double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) / 1000:F1}k/s");
        return "redis-benchmark (1 op per round trip, 50 clients): " + string.Join(", ", rates);
    }

    /// <summary>Autocommitted single-row INSERT and UPDATE statements, WAL with synchronous=NORMAL as the backend uses.</summary>
    private static string SqliteCommits(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, at INTEGER)");
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t (id, status, at) VALUES ($id, 'submitted', $id)";
        var insertId = insert.Parameters.Add("$id", SqliteType.Integer);
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE t SET status = 'complete', at = at + 1 WHERE id = $id";
        var updateId = update.Parameters.Add("$id", SqliteType.Integer);
        var commits = 0;
        var watch = Stopwatch.StartNew();
        for (var id = 1; watch.Elapsed < Window; id++)
        {
            insertId.Value = id;
            insert.ExecuteNonQuery();
            updateId.Value = id;
            update.ExecuteNonQuery();
            commits += 2;
        }

        return $"SQLite single-row INSERT/UPDATE, one commit each: {commits / watch.Elapsed.TotalSeconds / 1000:F1}k commits/s";
    }

    /// <summary>Persistent messages published one at a time awaiting each confirm, then consumed with prefetch 64 and acked one by one.</summary>
    private static async Task<string> RabbitMqAsync(Uri uri)
    {
        const int messages = 5000;
        await using var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var queue = "bench-baseline-" + Guid.NewGuid().ToString("N")[..8];
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var body = Guid.NewGuid().ToByteArray();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, body);
        }

        var published = messages / watch.Elapsed.TotalSeconds;
        await using var consumerChannel = await connection.CreateChannelAsync();
        await consumerChannel.BasicQosAsync(0, 64, global: false);
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (++received == messages)
            {
                done.TrySetResult();
            }
        };
        watch.Restart();
        await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var consumed = messages / watch.Elapsed.TotalSeconds;
        await consumerChannel.QueueDeleteAsync(queue);
        return $"RabbitMQ publish+confirm one at a time {published / 1000:F1}k msgs/s, consume+ack (prefetch 64) {consumed / 1000:F1}k msgs/s";
    }

    /// <summary>Autocommitted single-row UPDATE round trips on one connection.</summary>
    private static async Task<string> PostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var setup = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_baseline (id int PRIMARY KEY, n bigint); INSERT INTO bench_baseline VALUES (1, 0) ON CONFLICT DO NOTHING", connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        await using var update = new NpgsqlCommand("UPDATE bench_baseline SET n = n + 1 WHERE id = 1", connection);
        await update.PrepareAsync();
        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Window)
        {
            await update.ExecuteNonQueryAsync();
            count++;
        }

        return $"PostgreSQL single-row UPDATE {count / watch.Elapsed.TotalSeconds / 1000:F1}k round trips/s";
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [GeneratedRegex(@"([A-Z]+): ([0-9.]+) requests per second")]
    private static partial Regex RedisRate();
}
