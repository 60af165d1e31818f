using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.TestSupport.Servers;
using StackExchange.Redis;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Jobs;

/// <summary>`quarry serve` without workers plus `quarry worker` processes, all against a real redis-server.</summary>
public sealed class RedisWorkerTests(ITestOutputHelper output) : DistributedWorkerTests(output)
{
    private readonly RedisServer _redis = new();

    protected override async Task StartEnginesAsync() => await _redis.InitializeAsync();

    protected override async Task StopEnginesAsync() => await _redis.DisposeAsync();

    protected override Task StopBrokerAsync() => _redis.StopAsync();

    protected override Task StartBrokerAsync() => _redis.StartAsync();

    protected override Dictionary<string, string> Engines() => new()
    {
        ["Quarry__Jobs__Backend"] = "redis",
        ["Quarry__Jobs__Redis"] = _redis.ConnectionString,
    };

    /// <summary>The original's check: <c>HGETALL</c> of the job's key shows its id, status, start, end and worker.</summary>
    protected override async Task AssertStoredAsync(string prefix, Guid id, string worker)
    {
        await using var raw = await ConnectionMultiplexer.ConnectAsync($"{_redis.Host}:{_redis.Port}");
        var hash = (await raw.GetDatabase().HashGetAllAsync($"{prefix}:job:{id:D}")).ToStringDictionary();
        Assert.Equal((id.ToString("D"), "complete", "go!", "stop!", worker), (hash["id"], hash["status"], hash["start"], hash["end"], hash["worker"]));
    }
}

/// <summary>The same, with jobs queued in a real RabbitMQ and recorded in a real PostgreSQL.</summary>
public sealed class RabbitMqWorkerTests(ITestOutputHelper output) : DistributedWorkerTests(output)
{
    private readonly RabbitMqServer _rabbit = new();
    private readonly PostgresServer _postgres = new();

    protected override async Task StartEnginesAsync()
    {
        await Task.WhenAll(_rabbit.InitializeAsync().AsTask(), _postgres.InitializeAsync().AsTask());
    }

    protected override async Task StopEnginesAsync()
    {
        await _rabbit.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    protected override Task StopBrokerAsync() => _rabbit.StopAsync();

    protected override Task StartBrokerAsync() => _rabbit.StartAsync();

    protected override Dictionary<string, string> Engines() => new()
    {
        ["Quarry__Jobs__Backend"] = "rabbitmq",
        ["Quarry__Jobs__RabbitMq"] = _rabbit.Uri.ToString(),
        ["Quarry__Jobs__Postgres"] = _postgres.ConnectionString,
    };
}

/// <summary>Behaviour every distributed backend shows end to end: API server, worker processes, kill -9, broker outage.</summary>
public abstract class DistributedWorkerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sigkill = 9;
    private const int Sigterm = 15;
    private readonly string _prefix = "e2e" + Guid.NewGuid().ToString("N")[..8];
    private QuarryServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task StartEnginesAsync();

    protected abstract Task StopEnginesAsync();

    protected abstract Task StopBrokerAsync();

    protected abstract Task StartBrokerAsync();

    protected abstract Dictionary<string, string> Engines();

    /// <summary>Checks the engine's own record of a finished job, where the backend has one to read by hand.</summary>
    protected virtual Task AssertStoredAsync(string prefix, Guid id, string worker) => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        await StartEnginesAsync();
        try
        {
            _server = await QuarryServer.StartAsync(configure: b =>
            {
                b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
                foreach (var (key, value) in Settings())
                {
                    b.Configuration[key.Replace("__", ":", StringComparison.Ordinal)] = value;
                }
            });
        }
        catch
        {
            await StopEnginesAsync(); // a failed start is not followed by DisposeAsync
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await StopEnginesAsync();
    }

    [Fact]
    public async Task Two_workers_share_ten_posted_jobs_of_the_original_example()
    {
        // One job at a time each, so neither worker can take the whole burst.
        await using var w1 = StartWorker("worker-one", 1);
        await using var w2 = StartWorker("worker-two", 1);
        foreach (var worker in new[] { w1, w2 })
        {
            await worker.WaitForOutputAsync(new System.Text.RegularExpressions.Regex("taking jobs"), TimeSpan.FromSeconds(60));
        }

        var ids = new Guid[10];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = Ct }, async (i, ct) =>
        {
            using var response = await _server.Client.PostAsync("/jobs", new StringContent("{\"start\": \"go!\", \"end\": \"stop!\"}", System.Text.Encoding.UTF8, "application/json"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var submitted = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.Equal(("submitted", "go!", "stop!"), (submitted.GetProperty("status").GetString(), submitted.GetProperty("start").GetString(), submitted.GetProperty("end").GetString()));
            ids[i] = submitted.GetProperty("id").GetGuid();
        });

        var workers = new HashSet<string>();
        foreach (var id in ids)
        {
            var job = await JobWaits.UntilFinalAsync(_server.Client, id, TimeSpan.FromSeconds(60));
            Assert.Equal(("complete", "go!", "stop!"), (job.GetProperty("status").GetString(), job.GetProperty("start").GetString(), job.GetProperty("end").GetString()));
            var worker = job.GetProperty("worker").GetString()!;
            workers.Add(worker);
            await AssertStoredAsync(_prefix, id, worker);
        }

        output.WriteLine($"{GetType().Name}: workers that ran the 10 jobs: {string.Join(", ", workers.Order())}");
        Assert.Equal(["worker-one", "worker-two"], workers.Order());
        w1.Signal(Sigterm);
        w2.Signal(Sigterm);
        Assert.Equal(0, await w1.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await w2.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Killing_a_worker_mid_batch_loses_no_job_and_reruns_at_most_its_in_flight_jobs()
    {
        const int Jobs = 2000;
        const int Concurrency = 8;
        await using var victim = StartWorker("victim", Concurrency);
        await using var survivor = StartWorker("survivor", Concurrency);

        var ids = new Guid[Jobs];
        await Parallel.ForAsync(0, Jobs, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            using var response = await _server.Client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = 10 } }, ct);
            response.EnsureSuccessStatusCode();
            ids[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        });

        // Kill the victim once it has done a share of the work, while it holds leases.
        await Wait.UntilAsync(async () => await CountAsync("complete", "victim") >= 200, TimeSpan.FromSeconds(60), "the victim to complete 200 jobs", TimeSpan.FromMilliseconds(100));
        victim.Signal(Sigkill);
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));

        await Wait.UntilAsync(async () => await CountAsync("complete", null) == Jobs, TimeSpan.FromSeconds(120), "every job to complete", TimeSpan.FromMilliseconds(100));
        var reruns = 0;
        foreach (var id in ids)
        {
            var job = await _server.Client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", Ct);
            Assert.Equal("complete", job.GetProperty("status").GetString());
            if (job.GetProperty("attempts").GetInt32() > 1)
            {
                reruns++;
            }
        }

        output.WriteLine($"{GetType().Name}: jobs run twice after SIGKILL of a worker with concurrency {Concurrency}: {reruns}");
        Assert.InRange(reruns, 0, Concurrency);
    }

    [Fact]
    public async Task A_broker_outage_gives_503_and_the_server_recovers_by_itself()
    {
        await StopBrokerAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var down = await _server.Client.PostAsJsonAsync("/jobs", new { start = 1, end = 2 }, Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(down.Headers.RetryAfter);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"answered after {watch.Elapsed}");
        using (var ready = await _server.Client.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        await StartBrokerAsync();
        await Wait.UntilAsync(async () =>
        {
            using var response = await _server.Client.PostAsJsonAsync("/jobs", new { start = 1, end = 2 }, Ct);
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "a submission to succeed once the broker is back", TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Predictions_run_on_both_workers_and_stopping_one_loses_none()
    {
        var swap = _server.App.Services.GetRequiredService<Quarry.Core.Artifacts.ModelSwap<Quarry.Predict.Model.DiabetesModel>>();
        await Wait.UntilAsync(() => swap.Current is not null, TimeSpan.FromSeconds(60), "the diabetes model");

        await using var first = StartWorker("predict-one", 4);
        await using var second = StartWorker("predict-two", 4);
        foreach (var worker in new[] { first, second })
        {
            await worker.WaitForOutputAsync(new System.Text.RegularExpressions.Regex("taking jobs"), TimeSpan.FromSeconds(60));
        }

        var workers = new System.Collections.Concurrent.ConcurrentBag<string>();
        var answered = 0;
        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            if (Interlocked.Increment(ref answered) == 80)
            {
                second.Signal(Sigterm); // a worker leaves mid-run; its jobs finish or go back to the queue
            }

            using var response = await _server.Client.PostAsync("/api/predict/diabetes",
                new StringContent($"{{\"rows\":[[{i % 10},120,70,30,80,32.0,0.4,{20 + (i % 50)}]]}}"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.Equal(1, body.GetProperty("probabilities").GetArrayLength());
            workers.Add(body.GetProperty("worker").GetString()!);
        });

        Assert.Equal(200, workers.Count);
        Assert.Equal(["predict-one", "predict-two"], workers.Distinct().Order());
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private Dictionary<string, string> Settings() => new(Engines())
    {
        ["Quarry__Jobs__Prefix"] = _prefix,
        ["Quarry__Jobs__LeaseDuration"] = "00:00:04", // short for a quick recovery, long enough that a busy machine's heartbeats keep up
    };

    private QuarryProcess StartWorker(string id, int concurrency) =>
        QuarryProcess.Start("quarry.dll", ["worker", "--worker-id", id, "--concurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string>(Settings()) { ["QUARRY_DATA_DIR"] = _server.DataDir }); // shares the server's models

    private async Task<int> CountAsync(string status, string? worker)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await _server.Client.GetFromJsonAsync<JsonElement>(
                $"/jobs?status={Uri.EscapeDataString(status)}&limit=500{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", Ct);
            count += page.GetProperty("jobs").EnumerateArray().Count(j => worker is null || j.GetProperty("worker").GetString() == worker);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return count;
    }
}
