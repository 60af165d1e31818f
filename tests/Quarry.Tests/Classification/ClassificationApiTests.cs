using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Quarry.TestSupport;

namespace Quarry.Tests.Classification;

public sealed class VisionApiTests
{
    private const int Sigterm = 15;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_original_graders_sequence_caps_free_jobs_at_two_and_runs_every_premium_job_at_once()
    {
        // The quota is what is checked, not the training: a small dataset and one epoch. At a quarter of a core each job still
        // runs for seconds whatever the machine's load, long enough to see which jobs run at once.
        using var dir = new TempDirectory();
        var env = ClassificationServer.Environment(dir, train: 2000, epochs: 1);
        env["Quarry__Vision__CpuLimit"] = "0.25";
        var (server, client) = await ClassificationServer.StartAsync(env);
        await using var _ = server;
        using var __ = client;

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // The original's clients send the body with any content type.
            using var response = await client.PostAsync("/img-classification/free", new StringContent("{\"dataset\":\"mnist\"}", Encoding.UTF8, "text/plain"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var job = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(("free", "ff", "mnist", "free-service"), (Str(job, "tier"), Str(job, "model"), Str(job, "dataset"), Str(job, "namespace")));
            Assert.Matches("^ff-mnist-[a-z0-9]{5}$", Str(job, "name"));
            ids.Add(Str(job, "id"));
        }

        var sawTwoRunningOnePending = false;
        var mostRunning = 0;
        await PollConfigAsync(client, pods =>
        {
            var free = pods.Where(p => Str(p, "namespace") == "free-service").ToList();
            var running = free.Count(p => Str(p, "status") == "Running");
            mostRunning = Math.Max(mostRunning, running);
            sawTwoRunningOnePending |= free.Count == 3 && running == 2 && free.Count(p => Str(p, "status") == "Pending") == 1;
            return sawTwoRunningOnePending;
        });
        Assert.True(sawTwoRunningOnePending);

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync("/img-classification/premium", new StringContent("{\"dataset\":\"kmnist\"}"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var job = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(("premium", "cnn", "default"), (Str(job, "tier"), Str(job, "model"), Str(job, "namespace")));
            ids.Add(Str(job, "id"));
        }

        await PollConfigAsync(client, pods =>
        {
            var free = pods.Where(p => Str(p, "namespace") == "free-service").ToList();
            mostRunning = Math.Max(mostRunning, free.Count(p => Str(p, "status") == "Running"));
            return pods.Count(p => Str(p, "namespace") == "default" && Str(p, "name").StartsWith("cnn-kmnist-", StringComparison.Ordinal) && Str(p, "status") == "Running") == 3;
        });

        foreach (var id in ids)
        {
            var job = await ClassificationServer.UntilFinishedAsync(client, id, TimeSpan.FromMinutes(4), Ct);
            Assert.Equal("Succeeded", Str(job, "status"));
            Assert.InRange(job.GetProperty("accuracy").GetDouble(), 0.5, 1.0);
            var progress = job.GetProperty("progress");
            Assert.Equal("succeeded", Str(progress, "state"));
            Assert.True(progress.GetProperty("lossCurve").GetArrayLength() > 0);
        }

        Assert.Equal(2, mostRunning); // never more than the free tier's two
        List<JsonElement> final = [];
        await PollConfigAsync(client, pods => (final = pods).Count(p => Str(p, "status") == "Succeeded") == 6); // the cache catches up within its refresh
        Assert.Contains(final, p => Str(p, "name").StartsWith("quarry-serve-", StringComparison.Ordinal) && Str(p, "status") == "Running");
        Assert.All(final, p => Assert.Equal("127.0.0.1", Str(p, "ip")));
    }

    [Fact]
    public async Task Accepted_jobs_survive_a_restart_of_the_server()
    {
        using var dir = new TempDirectory();
        var env = ClassificationServer.Environment(dir, train: 20_000, epochs: 1);
        var ids = new List<string>();
        var (first, client) = await ClassificationServer.StartAsync(env);
        await using (first)
        {
            using (client)
            {
                for (var i = 0; i < 3; i++)
                {
                    using var response = await client.PostAsync("/img-classification/free", new StringContent("{\"dataset\":\"mnist\"}"), Ct);
                    ids.Add(Str(await response.Content.ReadFromJsonAsync<JsonElement>(Ct), "id"));
                }
            }

            first.Signal(Sigterm);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        var (second, again) = await ClassificationServer.StartAsync(env);
        await using var _ = second;
        using var __ = again;
        foreach (var id in ids)
        {
            var job = await ClassificationServer.UntilFinishedAsync(again, id, TimeSpan.FromMinutes(3), Ct);
            Assert.Equal("Succeeded", Str(job, "status"));
        }
    }

    private static async Task PollConfigAsync(HttpClient client, Func<List<JsonElement>, bool> done)
    {
        JsonElement body = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.GetAsync("/config", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return done([.. body.GetProperty("pods").EnumerateArray()]);
        }, TimeSpan.FromMinutes(2), () => "the expected pods in /config: " + body);
    }

    private static string Str(JsonElement element, string name) => element.GetProperty(name).GetString()!;
}
