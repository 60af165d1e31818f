using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Quarry.Bench.Jobs;

/// <summary>
/// POST /jobs over HTTP: per-request latency of one submitter, and the rate of 16 concurrent ones from the suite's own
/// client and, when wrk is installed, from wrk's 16 connections.
/// </summary>
internal sealed record HttpResult(LatencyResult Single, double ConcurrentPerSecond, int Concurrent, string EngineCalls, double? WrkPerSecond)
{
    /// <summary>wrk's rate where there is one (a client in C that leaves the server most of the two cores), else the suite's.</summary>
    public double BestConcurrentPerSecond => WrkPerSecond ?? ConcurrentPerSecond;

    /// <summary>"6,628/s" or "6,628/s (wrk 11,000/s)".</summary>
    public string ConcurrentCell => string.Create(CultureInfo.InvariantCulture,
        $"{ConcurrentPerSecond:N0}/s{(WrkPerSecond is { } wrk ? $" (wrk {wrk:N0}/s)" : "")}");
}

/// <summary>
/// Starts <c>quarry serve</c> (the jobs service only, no in-process workers) on the backend's engines and posts the original's body
/// <c>{"start": "go!", "end": "stop!"}</c>; every answer must be 200.
/// </summary>
internal static partial class HttpSubmits
{
    private const int Concurrent = 16;
    private static readonly TimeSpan WrkDuration = TimeSpan.FromSeconds(5);
    private static readonly byte[] Body = "{\"start\": \"go!\", \"end\": \"stop!\"}"u8.ToArray();

    public static async Task<HttpResult> MeasureAsync(BenchEngines engines, string prefix, int jobs, int latencyJobs, string quarry)
    {
        var port = FreePort();
        // The jobs capability alone: with every service on, the demo models (movies, playlists, diabetes) would train in this
        // process during the measurement.
        var environment = new Dictionary<string, string>(engines.WorkerEnvironment(prefix)) { ["Quarry__Jobs__ServeWorkers"] = "0", ["Quarry__Services"] = "jobs" };
        await using var server = WorkerProcess.Start(quarry, ["serve", "--urls", $"http://127.0.0.1:{port}"], environment);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        await WaitUntilReadyAsync(client, server);

        for (var i = 0; i < 200; i++)
        {
            await PostAsync(client); // warm-up: JIT, connections, the backend's first connection
        }

        var latencies = new double[latencyJobs];
        for (var i = 0; i < latencyJobs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await PostAsync(client);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(latencies);
        var remaining = jobs;
        var callsBefore = await EngineCalls.SnapshotAsync(engines);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await PostAsync(client);
            }
        })));
        var rate = jobs / watch.Elapsed.TotalSeconds;
        var calls = EngineCalls.PerJob(callsBefore, await EngineCalls.SnapshotAsync(engines), jobs);
        var wrk = await WrkAsync(port);
        return new HttpResult(new LatencyResult(latencies), rate, Concurrent, calls, wrk);
    }

    /// <summary>
    /// <c>wrk -t1 -c16</c> posting the same body for <see cref="WrkDuration"/>: its requests/s, or null when wrk is not
    /// installed. The suite's own client is .NET code sharing the two cores with the server and the engines; wrk costs far
    /// less per request, so its rate is closer to what the server can take.
    /// </summary>
    private static async Task<double?> WrkAsync(int port)
    {
        var script = Path.Combine(Path.GetTempPath(), $"quarry-jobs-post-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, $"wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '{System.Text.Encoding.UTF8.GetString(Body)}'\n");
        try
        {
            var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (string[])["-t1", $"-c{Concurrent}", $"-d{WrkDuration.TotalSeconds:0}s", "-s", script, $"http://127.0.0.1:{port}/jobs"])
            {
                info.ArgumentList.Add(arg);
            }

            Process? wrk;
            try
            {
                wrk = Process.Start(info);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine("   wrk not installed: POST /jobs with 16 submitters measured by the suite's own client only");
                return null;
            }

            using var process = wrk ?? throw new InvalidOperationException("could not start wrk");
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (NotOk().IsMatch(output) || !RequestsPerSecond().IsMatch(output))
            {
                throw new InvalidOperationException($"wrk on POST /jobs: not every answer was 200:\n{output}");
            }

            return double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    // wrk prints these lines only when some answers were not 2xx/3xx or sockets failed.
    [GeneratedRegex(@"Non-2xx or 3xx responses|Socket errors")]
    private static partial Regex NotOk();

    private static async Task PostAsync(HttpClient client)
    {
        using var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/jobs", content);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST /jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, WorkerProcess server)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException("quarry serve exited before it was ready; see its output above");
            }

            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("quarry serve was not ready within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
