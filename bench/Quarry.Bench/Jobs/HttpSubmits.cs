using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Quarry.Bench.Jobs;

/// <summary>POST /jobs over HTTP: per-request latency of one submitter, and the rate of 16 concurrent ones.</summary>
internal sealed record HttpResult(LatencyResult Single, double ConcurrentPerSecond, int Concurrent, string EngineCalls);

/// <summary>
/// Starts <c>quarry serve</c> (no in-process workers) on the backend's engines and posts the original's body
/// <c>{"start": "go!", "end": "stop!"}</c>; every answer must be 200.
/// </summary>
internal static class HttpSubmits
{
    private const int Concurrent = 16;
    private static readonly byte[] Body = "{\"start\": \"go!\", \"end\": \"stop!\"}"u8.ToArray();

    public static async Task<HttpResult> MeasureAsync(BenchEngines engines, string prefix, int jobs, int latencyJobs, string quarry)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>(engines.WorkerEnvironment(prefix)) { ["Quarry__Jobs__ServeWorkers"] = "0" };
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
        return new HttpResult(new LatencyResult(latencies), rate, Concurrent, calls);
    }

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
