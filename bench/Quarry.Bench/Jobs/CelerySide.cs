using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Quarry.TestSupport.Servers;

namespace Quarry.Bench.Jobs;

/// <summary>What the Celery side measured on one broker.</summary>
internal sealed record CeleryResult(double EnqueuePerSecond, long Drained, double DrainSeconds, double DrainPerSecond, double DrainAfterFirstPerSecond, LatencyResult Latency);

/// <summary>
/// Celery on the same broker as a Quarry backend (Debian's python3-celery): 2 workers <c>-P solo</c>, JSON, without
/// gossip, mingle or heartbeat; the task does one Redis INCR so completions can be counted. Runs Jobs/Celery/celery_bench.py.
/// </summary>
internal static class CelerySide
{
    public static string Python => Environment.GetEnvironmentVariable("CELERY_PYTHON") ?? "/usr/bin/python3";

    public static async Task<CeleryResult> RunAsync(BenchEngines engines, int jobs, int latencyJobs)
    {
        // Celery's broker is the backend's own engine; on RabbitMQ the completion counter needs a Redis of its own.
        await using var counter = engines.Redis is null ? new RedisServer() : null;
        if (counter is not null)
        {
            await counter.InitializeAsync();
        }

        var redis = engines.Redis ?? counter!;
        var broker = engines.RabbitMq is { } rabbit ? $"amqp://guest:guest@{rabbit.Host}:{rabbit.Port}//" : $"redis://{redis.Host}:{redis.Port}/0";
        var script = Path.Combine(AppContext.BaseDirectory, "Jobs", "Celery", "celery_bench.py");
        var info = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { script, "--jobs", Inv(jobs), "--workers", "2", "--latency-jobs", Inv(latencyJobs), "--prefix", "celery-" + Guid.NewGuid().ToString("N")[..6] })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["CELERY_BENCH_BROKER"] = broker;
        info.Environment["CELERY_BENCH_COUNTER"] = $"redis://{redis.Host}:{redis.Port}/0";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Python}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the Celery side failed ({process.ExitCode}): {await errors}");
        }

        using var document = JsonDocument.Parse(await output);
        var root = document.RootElement;
        var latencies = root.GetProperty("latency_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Array.Sort(latencies);
        return new CeleryResult(
            root.GetProperty("enqueue_per_s").GetDouble(),
            root.GetProperty("drain_jobs").GetInt64(),
            root.GetProperty("drain_seconds").GetDouble(),
            root.GetProperty("drain_per_s").GetDouble(),
            root.TryGetProperty("drain_after_first_per_s", out var after) ? after.GetDouble() : double.NaN,
            new LatencyResult(latencies));
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
