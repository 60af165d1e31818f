using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Model;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Telemetry;

/// <summary><c>quarry worker --metrics-urls</c>: a worker process serves its own <c>/metrics</c>, and a bad address stops it at once.</summary>
public sealed partial class WorkerMetricsTests
{
    private const int Sigterm = 15;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_serves_the_counts_of_the_jobs_it_ran_on_its_metrics_address()
    {
        using var dir = new TempDirectory();
        var port = FreePort();
        await using var worker = QuarryProcess.Start("quarry.dll",
            ["worker", "--worker-id", "w-metrics", "--concurrency", "2", "--metrics-urls", $"http://127.0.0.1:{port}", "--data-dir", dir.Path]);
        await worker.WaitForOutputAsync(TakingJobs(), TimeSpan.FromSeconds(60));

        // The embedded store is a file: this test queues jobs in it as a server in another process would.
        await using var store = JobBackendFactory.Create(new Quarry.Jobs.JobsOptions(), dir.Path, TimeProvider.System);
        await store.InitializeAsync(Ct);
        var jobs = Enumerable.Range(0, 3).Select(_ => new NewJob(Guid.NewGuid(), "noop", "{}")).ToArray();
        await store.SubmitAsync(jobs, Ct);
        foreach (var job in jobs)
        {
            await Wait.UntilAsync(async () => (await store.GetAsync(job.Id, Ct))!.Status == JobStatus.Complete, TimeSpan.FromSeconds(30), $"job {job.Id}");
        }

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Scrape scrape = null!;
        await Wait.UntilAsync(async () => (scrape = await Scrape.ReadAsync(client)).Sum("quarry_jobs_completed_total") >= 3, TimeSpan.FromSeconds(10), "the worker's counts");
        Assert.Equal(3, scrape.Sum("quarry_jobs_completed_total", "type=noop", "backend=embedded"));
        Assert.Equal(3, scrape.Sum("quarry_jobs_started_total", "type=noop"));
        Assert.Equal(1, scrape.Sum("target_info", "quarry_role=worker"));
        Assert.Empty(scrape.Series("quarry_jobs_queue_depth")); // the server reports the store; N workers would count it N times

        worker.Signal(Sigterm);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("9464")]
    [InlineData("http://127.0.0.1")]
    [InlineData("https://127.0.0.1:9464")]
    [InlineData("http://127.0.0.1:9464/metrics")]
    [InlineData("http://127.0.0.1:9464;ftp://x:1")]
    public async Task A_malformed_metrics_address_stops_the_worker_with_one_error_line_naming_it(string urls)
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "worker", "--metrics-urls", urls);
        Assert.Equal(2, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --metrics-urls", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_switch_that_is_not_true_or_false_stops_the_server_with_one_error_line_naming_it()
    {
        using var dir = new TempDirectory();
        await using var server = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path],
            new Dictionary<string, string> { ["Quarry__Telemetry__Metrics"] = "sometimes" });
        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: Quarry__Telemetry__Metrics must be true or false (was 'sometimes')", line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("taking jobs")]
    private static partial Regex TakingJobs();
}
