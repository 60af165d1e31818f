using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Playlists.Data;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Telemetry;

/// <summary>
/// <c>/metrics</c> of a real <c>quarry serve</c> process (its own process, so no other test's traffic is counted) after known
/// traffic: requests, jobs and a model swap.
/// </summary>
public sealed class MetricsTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Known_requests_jobs_and_a_model_swap_show_up_in_metrics_with_the_same_counts()
    {
        using var dir = new TempDirectory();
        var csv = Path.Combine(dir.Path, "playlists.csv");
        PlaylistGenerator.WriteFile(csv, new PlaylistGeneratorOptions { Playlists = 1500, Songs = 400 }, Ct);
        var data = Path.Combine(dir.Path, "data");
        await TrainAsync(csv, data, "1.0.0");

        await using var server = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", data], new Dictionary<string, string>
        {
            ["Quarry__Services"] = "playlists,jobs",
            ["Quarry__Playlists__Bootstrap"] = "false",
            ["Quarry__Playlists__PollInterval"] = "00:00:00.200",
        });
        using var client = new HttpClient { BaseAddress = await server.WaitForListeningAsync(), Timeout = TimeSpan.FromSeconds(30) };
        await WaitForVersionAsync(client, "1.0.0");
        var songs = (await client.GetFromJsonAsync<JsonElement>("/api/playlists/songs?limit=3", Ct)).GetProperty("songs").EnumerateArray()
            .Select(s => s.GetProperty("song").GetString()!).ToArray();
        var before = await Scrape.ReadAsync(client);

        // 12 recommendations, some answered from rules and some from popularity; the answer says which.
        var sources = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 12; i++)
        {
            string[] asked = i % 3 == 0 ? [] : [songs[i % songs.Length]];
            using var response = await client.PostAsJsonAsync("/api/recommend", new { songs = asked }, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var source = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("source").GetString()!;
            sources[source] = sources.GetValueOrDefault(source) + 1;
        }

        // Probes, which the HTTP request metrics leave out.
        foreach (var probe in new[] { "/healthz", "/healthz", "/healthz", "/readyz", "/readyz" })
        {
            using var response = await client.GetAsync(probe, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // 5 range jobs, 3 no-op jobs and 2 refused bodies.
        var ids = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            object body = i < 5 ? new { start = 1, end = 10 } : new { type = "noop" };
            using var response = await client.PostAsJsonAsync("/jobs", body, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid());
        }

        foreach (var bad in new[] { "not json", "{\"type\":\"no-such-type\"}" })
        {
            using var refused = await client.PostAsync("/jobs", new StringContent(bad), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        foreach (var id in ids)
        {
            await Wait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", Ct)).GetProperty("status").GetString() == "complete",
                TimeSpan.FromSeconds(30), $"job {id} to complete");
        }

        // One model swap, watched through /api/playlists/songs so the recommendation count stays exact.
        await TrainAsync(csv, data, "1.0.1");
        await WaitForVersionAsync(client, "1.0.1");

        // The exporter may answer from a scrape a few hundred milliseconds old; wait for one taken after the last job finished.
        Scrape after = before;
        await Wait.UntilAsync(async () =>
        {
            after = await Scrape.ReadAsync(client);
            return after.Sum("quarry_jobs_completed_total") - before.Sum("quarry_jobs_completed_total") >= 8
                && after.Sum("quarry_jobs_queue_depth", "state=complete") >= 8
                && after.Sum("quarry_model_published_seconds", "model=playlists", "version=1.0.1") > 0;
        }, TimeSpan.FromSeconds(30), "a scrape with every job and the new model");
        output.WriteLine(string.Join('\n', after.Text.Split('\n').Where(l => l.StartsWith("quarry_", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal))));

        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(12, Delta("http_server_request_duration_seconds_count", "http_route=/api/recommend", "http_request_method=POST", "http_response_status_code=200"));
        Assert.Equal(8, Delta("http_server_request_duration_seconds_count", "http_route=/jobs/", "http_request_method=POST", "http_response_status_code=200"));
        Assert.Equal(2, Delta("http_server_request_duration_seconds_count", "http_route=/jobs/", "http_request_method=POST", "http_response_status_code=400"));
        Assert.Equal((0, 0), (after.Sum("http_server_request_duration_seconds_count", "http_route=/healthz"), after.Sum("http_server_request_duration_seconds_count", "http_route=/readyz")));

        // Requests in flight come from the drain's count (the scrape itself may be one of them), not a per-request meter.
        Assert.Single(after.Series("quarry_http_in_flight"));
        Assert.InRange(after.Sum("quarry_http_in_flight"), 0, 1);
        Assert.Empty(after.Series("http_server_active_requests"));
        foreach (var (source, count) in sources)
        {
            Assert.Equal(count, Delta("quarry_recommendations_duration_seconds_count", "service=playlists", $"source={source}"));
        }

        Assert.Equal(12, Delta("quarry_recommendations_duration_seconds_count"));
        Assert.Equal((5, 3), (Delta("quarry_jobs_submitted_total", "type=range", "backend=embedded"), Delta("quarry_jobs_submitted_total", "type=noop", "backend=embedded")));
        Assert.Equal((5, 3), (Delta("quarry_jobs_started_total", "type=range"), Delta("quarry_jobs_started_total", "type=noop")));
        Assert.Equal((5, 3), (Delta("quarry_jobs_completed_total", "type=range"), Delta("quarry_jobs_completed_total", "type=noop")));
        Assert.Equal((0, 0), (Delta("quarry_jobs_failed_total"), Delta("quarry_jobs_retried_total")));
        Assert.Equal(8, Delta("quarry_jobs_wait_duration_seconds_count"));
        Assert.Equal(8, Delta("quarry_jobs_run_duration_seconds_count"));
        Assert.Equal((8, 0, 0), (after.Sum("quarry_jobs_queue_depth", "state=complete"), after.Sum("quarry_jobs_queue_depth", "state=submitted"),
            after.Sum("quarry_jobs_queue_depth", "state=in progress")));
        Assert.Equal(1, after.Sum("quarry_jobs_workers"));

        Assert.Equal(1, Delta("quarry_model_swaps_total", "model=playlists"));
        Assert.Equal(1, Delta("quarry_model_load_duration_seconds_count", "model=playlists"));
        Assert.Equal(["1.0.1"], after.Series("quarry_model_published_seconds").Where(l => l["model"] == "playlists").Select(l => l["version"]));
        Assert.InRange(after.Sum("quarry_model_age_seconds", "model=playlists"), 0, 120);
    }

    private static async Task TrainAsync(string csv, string data, string version)
    {
        var (code, log) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--dataset", csv, "--data-dir", data, "--min-support", "0.02",
            "--force", "--model-version", version);
        Assert.True(code == 0, log);
    }

    private static Task WaitForVersionAsync(HttpClient client, string version) => Wait.UntilAsync(async () =>
    {
        using var response = await client.GetAsync("/api/playlists/songs?limit=1", Ct);
        return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetString() == version;
    }, TimeSpan.FromSeconds(30), $"model {version} to be served");
}
