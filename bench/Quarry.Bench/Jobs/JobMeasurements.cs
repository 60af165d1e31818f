using System.Diagnostics;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Model;

namespace Quarry.Bench.Jobs;

/// <summary>What one drain run measured.</summary>
internal sealed record DrainResult(
    int Workers, long Completed, double Seconds, double RateWithStart, double RateWithoutStart,
    double WorkerCpuMsPerJob, double EngineCpuMsPerJob, IReadOnlyCollection<string> WorkerIds, bool TimedOut, string EngineCalls);

/// <summary>Submit → complete latencies, in milliseconds, sorted.</summary>
internal sealed record LatencyResult(double[] Milliseconds)
{
    public double Percentile(double q) =>
        Milliseconds.Length == 0 ? double.NaN : Milliseconds[Math.Clamp((int)Math.Ceiling(q * Milliseconds.Length) - 1, 0, Milliseconds.Length - 1)];
}

/// <summary>The three measurements of the suite: enqueue rate, drain rate by worker processes, and submit → complete latency.</summary>
internal static class JobMeasurements
{
    public const int Submitters = 16;
    public const int DrainConcurrency = 64;
    public const int LatencyConcurrency = 8;

    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LatencyBudget = TimeSpan.FromSeconds(40);

    public static NewJob Noop() => new(Guid.CreateVersion7(), "noop", "{}");

    /// <summary>Submits <paramref name="jobs"/> no-op jobs with 16 concurrent submitters, <paramref name="perCall"/> per call; returns jobs/s.</summary>
    public static async Task<double> EnqueueAsync(IJobBackend backend, int jobs, int perCall)
    {
        var remaining = new[] { jobs };
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Submitters).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var left = Interlocked.Add(ref remaining[0], -perCall) + perCall;
                if (left <= 0)
                {
                    return;
                }

                var batch = new NewJob[Math.Min(perCall, left)];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = Noop();
                }

                await backend.SubmitAsync(batch, CancellationToken.None);
            }
        })));
        return jobs / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Starts <paramref name="workers"/> worker processes on a queue already holding <paramref name="jobs"/> jobs and times the drain.</summary>
    public static async Task<DrainResult> DrainAsync(BenchEngines engines, IJobBackend client, string prefix, int jobs, int workers, string quarry)
    {
        var environment = engines.WorkerEnvironment(prefix);
        var processes = new List<WorkerProcess>();
        try
        {
            var callsBefore = await EngineCalls.SnapshotAsync(engines);
            var engineCpu = engines.CpuSeconds();
            var watch = Stopwatch.StartNew();
            for (var i = 1; i <= workers; i++)
            {
                processes.Add(WorkerProcess.Start(quarry, $"{prefix}-w{i}", DrainConcurrency, environment));
            }

            long complete = 0;
            while (watch.Elapsed < DrainBudget)
            {
                complete = (await client.CountAsync(CancellationToken.None))[JobStatus.Complete];
                if (complete >= jobs)
                {
                    break;
                }

                if (processes.Any(p => p.HasExited))
                {
                    throw new InvalidOperationException("a worker process exited during the drain; see its output above");
                }

                await Task.Delay(20);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var workerCpu = processes.Sum(p => p.CpuSeconds());
            engineCpu = engines.CpuSeconds() - engineCpu;
            var calls = EngineCalls.PerJob(callsBefore, await EngineCalls.SnapshotAsync(engines), complete);
            foreach (var process in processes)
            {
                await process.StopAsync();
            }

            var (first, last, ids) = await SpanOfRecordsAsync(client);
            var withoutStart = (last - first).TotalSeconds is > 0 and var span ? complete / span : double.NaN;
            var perJob = 1000.0 / Math.Max(1, complete);
            return new DrainResult(workers, complete, seconds, complete / seconds, withoutStart, workerCpu * perJob, engineCpu * perJob, ids, complete < jobs, calls);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    /// <summary>One worker process (concurrency 8); jobs submitted one at a time, each after the previous completed.</summary>
    public static async Task<LatencyResult> LatencyAsync(BenchEngines engines, IJobBackend client, string prefix, int jobs, string quarry)
    {
        await using var worker = WorkerProcess.Start(quarry, $"{prefix}-w1", LatencyConcurrency, engines.WorkerEnvironment(prefix));
        // Warm-up, not measured: the first jobs wait for the worker's start-up and JIT.
        for (var i = 0; i < 50; i++)
        {
            await RunOneAsync(client, TimeSpan.FromSeconds(60));
        }

        var latencies = new List<double>(jobs);
        var budget = Stopwatch.StartNew();
        while (latencies.Count < jobs && budget.Elapsed < LatencyBudget)
        {
            latencies.Add(await RunOneAsync(client, TimeSpan.FromSeconds(10)));
        }

        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        return new LatencyResult(sorted);
    }

    /// <summary>Submits one job and polls every 1 ms until it is complete; returns its FinishedAt minus the time just before submitting.</summary>
    private static async Task<double> RunOneAsync(IJobBackend client, TimeSpan timeout)
    {
        var job = Noop();
        var before = DateTimeOffset.UtcNow;
        await client.SubmitAsync([job], CancellationToken.None);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await client.GetAsync(job.Id, CancellationToken.None) is { Status: JobStatus.Complete, FinishedAt: { } finished })
            {
                return (finished - before).TotalMilliseconds;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"job {job.Id} did not complete within {timeout.TotalSeconds:F0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1));
        }
    }

    /// <summary>Earliest start, latest finish and the worker ids over every complete record, read 500 at a time.</summary>
    private static async Task<(DateTimeOffset First, DateTimeOffset Last, IReadOnlyCollection<string> Workers)> SpanOfRecordsAsync(IJobBackend client)
    {
        var first = DateTimeOffset.MaxValue;
        var last = DateTimeOffset.MinValue;
        var workers = new SortedSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await client.ListAsync(new JobQuery(JobStatus.Complete, 500, cursor), CancellationToken.None);
            foreach (var record in page.Jobs)
            {
                if (record.StartedAt is { } started && started < first)
                {
                    first = started;
                }

                if (record.FinishedAt is { } finished && finished > last)
                {
                    last = finished;
                }

                if (record.Worker is { } worker)
                {
                    workers.Add(worker);
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return (first, last, workers);
    }
}
