using System.Globalization;
using System.Runtime.InteropServices;
using Quarry.Jobs.Model;

namespace Quarry.Bench.Jobs;

/// <summary>
/// The `jobs` suite: for each backend, enqueue rate, drain rate by `quarry worker` processes and submit → complete
/// latency, next to the engine's raw round-trip rate. Needs `dotnet build src/Quarry -c Release` first.
/// </summary>
internal static class JobsSuite
{
    // Aims from the issue: 10× Celery's drain on the same broker (1.7k/s at its usual best), p50 ≤ 1 ms, p99 ≤ 5 ms.
    private const double DrainAim = 17_000;
    private const double P50Aim = 1;
    private const double P99Aim = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = JobsBenchOptions.Parse(args);
        var quarryDll = QuarryDll();
        if (!File.Exists(quarryDll))
        {
            Console.Error.WriteLine($"{quarryDll} not found: run `dotnet build src/Quarry -c Release` first");
            return 2;
        }

        PrintMachine(options);
        var results = new List<BackendResult>();
        foreach (var backend in options.Backends)
        {
            Console.Error.WriteLine($"== {backend}");
            results.Add(await RunBackendAsync(backend, options, quarryDll));
        }

        Console.WriteLine();
        Console.WriteLine("| backend | enqueue 1/call | enqueue 100/call | drain, 1 worker | drain, 2 workers | worker CPU / job (1 w, 2 w) | engine CPU / job (1 w, 2 w) | latency p50 / p90 / p99 / max (n) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(Inv($"| {r.Backend} | {r.EnqueueSingle:N0}/s | {r.EnqueueBatch:N0}/s | {Drain(r.One)} | {Drain(r.Two)} | {r.One.WorkerCpuMsPerJob:F3} / {r.Two.WorkerCpuMsPerJob:F3} ms | {EngineCpu(r)} | {Latency(r.Latency)} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Drain cells: jobs/s from starting the worker processes until CountAsync showed every job complete (start-up included); in brackets, earliest StartedAt → latest FinishedAt of the records (start-up excluded).");
        foreach (var r in results)
        {
            Console.WriteLine(Inv($"- {r.Backend} baseline: {r.Baseline}"));
            Console.WriteLine(Inv($"- {r.Backend} worker ids on the records: 1 worker {string.Join(", ", r.One.WorkerIds)}; 2 workers {string.Join(", ", r.Two.WorkerIds)}"));
        }

        Console.WriteLine();
        foreach (var r in results)
        {
            var drain = Math.Max(r.One.RateWithStart, r.Two.RateWithStart);
            Console.WriteLine(Inv($"- {r.Backend}: drain ≥ 10× Celery ({DrainAim:N0}/s): {Met(drain >= DrainAim)} ({drain:N0}/s); p50 ≤ {P50Aim} ms: {Met(r.Latency.Percentile(0.5) <= P50Aim)} ({r.Latency.Percentile(0.5):F2} ms); p99 ≤ {P99Aim} ms: {Met(r.Latency.Percentile(0.99) <= P99Aim)} ({r.Latency.Percentile(0.99):F2} ms)"));
        }

        return results.All(r => !r.One.TimedOut && !r.Two.TimedOut && r.Two.WorkerIds.Count == 2) ? 0 : 1;
    }

    private static async Task<BackendResult> RunBackendAsync(string backend, JobsBenchOptions options, string quarryDll)
    {
        await using var engines = await BenchEngines.StartAsync(backend);
        var run = "b" + Guid.NewGuid().ToString("N")[..6];
        var baseline = await EngineBaselines.MeasureAsync(engines);
        Console.Error.WriteLine($"   baseline: {baseline}");

        await using var single = engines.CreateClient(run + "s");
        await single.InitializeAsync(CancellationToken.None);
        var enqueueSingle = await JobMeasurements.EnqueueAsync(single, options.Jobs, 1);
        Console.Error.WriteLine(Inv($"   enqueue 1/call: {enqueueSingle:N0}/s"));
        var one = await JobMeasurements.DrainAsync(engines, single, run + "s", options.Jobs, 1, quarryDll);
        Console.Error.WriteLine(Inv($"   drain 1 worker: {Drain(one)}"));

        await using var batched = engines.CreateClient(run + "b");
        await batched.InitializeAsync(CancellationToken.None);
        var enqueueBatch = await JobMeasurements.EnqueueAsync(batched, options.Jobs, 100);
        Console.Error.WriteLine(Inv($"   enqueue 100/call: {enqueueBatch:N0}/s"));
        var two = await JobMeasurements.DrainAsync(engines, batched, run + "b", options.Jobs, 2, quarryDll);
        Console.Error.WriteLine(Inv($"   drain 2 workers: {Drain(two)}"));

        await using var latencyClient = engines.CreateClient(run + "l");
        await latencyClient.InitializeAsync(CancellationToken.None);
        var latency = await JobMeasurements.LatencyAsync(engines, latencyClient, run + "l", options.LatencyJobs, quarryDll);
        Console.Error.WriteLine($"   latency: {Latency(latency)}");
        return new BackendResult(backend, baseline, enqueueSingle, enqueueBatch, one, two, latency);
    }

    private static string Drain(DrainResult r) => r.TimedOut
        ? Inv($"timed out: {r.Completed:N0} complete in {r.Seconds:F1} s")
        : Inv($"{r.RateWithStart:N0}/s ({r.RateWithoutStart:N0}/s) in {r.Seconds:F2} s");

    private static string EngineCpu(BackendResult r) =>
        r.Backend == "embedded" ? "— (in the workers)" : Inv($"{r.One.EngineCpuMsPerJob:F3} / {r.Two.EngineCpuMsPerJob:F3} ms");

    private static string Latency(LatencyResult l) =>
        Inv($"{l.Percentile(0.5):F2} / {l.Percentile(0.9):F2} / {l.Percentile(0.99):F2} / {l.Percentile(1):F2} ms ({l.Milliseconds.Length:N0})");

    private static string Met(bool met) => met ? "met" : "NOT met";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void PrintMachine(JobsBenchOptions options)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {cpu ?? "unknown CPU"}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"load average at start: {string.Join(" ", load)}; started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine(Inv($"jobs: {options.Jobs:N0} no-op per enqueue/drain run; latency: {options.LatencyJobs:N0} sequential jobs (40 s cap); statuses counted: {string.Join(", ", JobStatus.All)}"));
    }

    /// <summary>src/Quarry/bin/Release/net10.0/quarry.dll under the folder holding Quarry.slnx.</summary>
    private static string QuarryDll()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Quarry.slnx")))
                {
                    return Path.Combine(dir.FullName, "src", "Quarry", "bin", "Release", "net10.0", "quarry.dll");
                }
            }
        }

        return Path.GetFullPath("src/Quarry/bin/Release/net10.0/quarry.dll");
    }

    private sealed record BackendResult(
        string Backend, string Baseline, double EnqueueSingle, double EnqueueBatch, DrainResult One, DrainResult Two, LatencyResult Latency);
}
