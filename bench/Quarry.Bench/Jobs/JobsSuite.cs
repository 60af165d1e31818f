using System.Globalization;
using System.Runtime.InteropServices;
using Quarry.Jobs.Model;

namespace Quarry.Bench.Jobs;

/// <summary>
/// The `jobs` suite: for each backend, enqueue rate, drain rate by `quarry worker` processes and submit → complete
/// latency, next to the engine's raw round-trip rate; for Redis and RabbitMQ also POST /jobs over HTTP and Celery on
/// the same broker, back to back. Runs the quarry that <c>./publish.sh</c> wrote to <c>$QUARRY_PUBLISHED</c> (the shipped
/// ReadyToRun build), or else the build output of <c>dotnet build src/Quarry -c Release</c>.
/// </summary>
internal static class JobsSuite
{
    // Aims: drain ≥ 10× Celery's on Redis and ≥ 5× (and ≥ 17k/s) on RabbitMQ, p50 ≤ 1 ms, p99 ≤ 5 ms;
    // POST /jobs p50 ≤ 1 ms for one submitter and ≥ 10k/s with 16.
    private const double DrainAim = 17_000;
    private const double P50Aim = 1;
    private const double P99Aim = 5;
    private const double HttpP50Aim = 1;
    private const double HttpRateAim = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = JobsBenchOptions.Parse(args);
        var quarry = QuarryCommand();
        if (!File.Exists(quarry))
        {
            Console.Error.WriteLine($"{quarry} not found: run `./publish.sh DIR` and set QUARRY_PUBLISHED=DIR, or `dotnet build src/Quarry -c Release`");
            return 2;
        }

        PrintMachine(options);
        Console.WriteLine($"quarry: {quarry}");
        var results = new List<BackendResult>();
        foreach (var backend in options.Backends)
        {
            Console.Error.WriteLine($"== {backend}");
            results.Add(await RunBackendAsync(backend, options, quarry));
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
            Console.WriteLine(Inv($"- {r.Backend} engine commands during the drain, 1 worker: {r.One.EngineCalls}; 2 workers: {r.Two.EngineCalls}"));
            if (r.Http is { } http)
            {
                Console.WriteLine(Inv($"- {r.Backend} engine commands per POST /jobs (16 submitters): {http.EngineCalls}"));
            }
        }

        Console.WriteLine();
        var compared = results.Where(r => r.Celery is not null).ToArray();
        if (compared.Length > 0)
        {
            Console.WriteLine("Side by side with Celery on the same broker, in the same run (Quarry ÷ Celery):");
            Console.WriteLine();
            Console.WriteLine("| broker | drain, 2 workers: Quarry / Celery (ratio) | same, start-up excluded | enqueue 1/call: Quarry / Celery delay() (ratio) | submit → complete p50 / p99: Quarry / Celery |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var r in compared)
            {
                var c = r.Celery!;
                Console.WriteLine(Inv($"| {r.Backend} | {r.Two.RateWithStart:N0}/s / {c.DrainPerSecond:N0}/s ({r.Two.RateWithStart / c.DrainPerSecond:F1}×) | {r.Two.RateWithoutStart:N0}/s / {c.DrainAfterFirstPerSecond:N0}/s ({r.Two.RateWithoutStart / c.DrainAfterFirstPerSecond:F1}×) | {r.EnqueueSingle:N0}/s / {c.EnqueuePerSecond:N0}/s ({r.EnqueueSingle / c.EnqueuePerSecond:F1}×) | {r.Latency.Percentile(0.5):F2} / {r.Latency.Percentile(0.99):F2} ms / {c.Latency.Percentile(0.5):F2} / {c.Latency.Percentile(0.99):F2} ms |"));
            }

            Console.WriteLine();
            Console.WriteLine("| backend | POST /jobs, 1 submitter: p50 / p90 / p99 / max (n) | POST /jobs, 16 submitters |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var r in compared)
            {
                Console.WriteLine(Inv($"| {r.Backend} | {Latency(r.Http!.Single)} | {r.Http.ConcurrentCell} |"));
            }

            Console.WriteLine();
        }

        foreach (var r in results)
        {
            var drain = r.Two.RateWithStart;
            var line = Inv($"- {r.Backend}: p50 ≤ {P50Aim} ms: {Met(r.Latency.Percentile(0.5) <= P50Aim)} ({r.Latency.Percentile(0.5):F2} ms); p99 ≤ {P99Aim} ms: {Met(r.Latency.Percentile(0.99) <= P99Aim)} ({r.Latency.Percentile(0.99):F2} ms)");
            if (r.Celery is { } celery)
            {
                var times = r.Backend == "redis" ? 10 : 5;
                var floor = r.Backend == "redis" ? 0 : DrainAim;
                line += Inv($"; drain ≥ {times}× Celery{(floor > 0 ? $" and ≥ {floor:N0}/s" : "")}: {Met(drain >= times * celery.DrainPerSecond && drain >= floor)} ({drain / celery.DrainPerSecond:F1}×, {drain:N0}/s)");
                line += Inv($"; POST /jobs p50 ≤ {HttpP50Aim} ms: {Met(r.Http!.Single.Percentile(0.5) <= HttpP50Aim)} ({r.Http.Single.Percentile(0.5):F2} ms); ≥ {HttpRateAim:N0}/s with 16 submitters: {Met(r.Http.BestConcurrentPerSecond >= HttpRateAim)} ({r.Http.ConcurrentCell})");
            }

            Console.WriteLine(line);
        }

        return results.All(r => !r.One.TimedOut && !r.Two.TimedOut && r.Two.WorkerIds.Count == 2) ? 0 : 1;
    }

    private static async Task<BackendResult> RunBackendAsync(string backend, JobsBenchOptions options, string quarry)
    {
        await using var engines = await BenchEngines.StartAsync(backend);
        var run = "b" + Guid.NewGuid().ToString("N")[..6];
        var baseline = await EngineBaselines.MeasureAsync(engines);
        Console.Error.WriteLine($"   baseline: {baseline}");

        await using var single = engines.CreateClient(run + "s");
        await single.InitializeAsync(CancellationToken.None);
        var enqueueSingle = await JobMeasurements.EnqueueAsync(single, options.Jobs, 1);
        Console.Error.WriteLine(Inv($"   enqueue 1/call: {enqueueSingle:N0}/s"));
        var one = await JobMeasurements.DrainAsync(engines, single, run + "s", options.Jobs, 1, quarry);
        Console.Error.WriteLine(Inv($"   drain 1 worker: {Drain(one)}; engine commands {one.EngineCalls}"));

        await using var batched = engines.CreateClient(run + "b");
        await batched.InitializeAsync(CancellationToken.None);
        var enqueueBatch = await JobMeasurements.EnqueueAsync(batched, options.Jobs, 100);
        Console.Error.WriteLine(Inv($"   enqueue 100/call: {enqueueBatch:N0}/s"));
        var two = await JobMeasurements.DrainAsync(engines, batched, run + "b", options.Jobs, 2, quarry);
        Console.Error.WriteLine(Inv($"   drain 2 workers: {Drain(two)}; engine commands {two.EngineCalls}"));

        await using var latencyClient = engines.CreateClient(run + "l");
        await latencyClient.InitializeAsync(CancellationToken.None);
        var latency = await JobMeasurements.LatencyAsync(engines, latencyClient, run + "l", options.LatencyJobs, quarry);
        Console.Error.WriteLine($"   latency: {Latency(latency)}");
        if (backend == "embedded" || options.NoCelery)
        {
            return new BackendResult(backend, baseline, enqueueSingle, enqueueBatch, one, two, latency, null, null);
        }

        var http = await HttpSubmits.MeasureAsync(engines, run + "h", options.Jobs, options.LatencyJobs, quarry);
        Console.Error.WriteLine(Inv($"   POST /jobs: 1 submitter {Latency(http.Single)}; 16 submitters {http.ConcurrentCell}; engine commands {http.EngineCalls}"));
        var celery = await CelerySide.RunAsync(engines, options.Jobs, options.LatencyJobs);
        Console.Error.WriteLine(Inv($"   Celery: delay() {celery.EnqueuePerSecond:N0}/s; drain 2 workers {celery.DrainPerSecond:N0}/s ({celery.DrainAfterFirstPerSecond:N0}/s) in {celery.DrainSeconds:F2} s; latency {Latency(celery.Latency)}"));
        return new BackendResult(backend, baseline, enqueueSingle, enqueueBatch, one, two, latency, http, celery);
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

    /// <summary>$QUARRY_PUBLISHED/quarry when set, else src/Quarry/bin/Release/net10.0/quarry.dll under the folder holding Quarry.slnx.</summary>
    private static string QuarryCommand()
    {
        if (Environment.GetEnvironmentVariable("QUARRY_PUBLISHED") is { Length: > 0 } published)
        {
            return Path.GetFullPath(Path.Combine(published, "quarry"));
        }

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
        string Backend, string Baseline, double EnqueueSingle, double EnqueueBatch, DrainResult One, DrainResult Two, LatencyResult Latency,
        HttpResult? Http, CeleryResult? Celery);
}
