using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Jobs;

/// <summary>The /jobs API on the embedded backend with in-process workers, as a fresh `quarry serve` runs it.</summary>
public sealed class JobsApiTests : IAsyncLifetime
{
    private QuarryServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => _server.Client;

    public async ValueTask InitializeAsync() => _server = await QuarryServer.StartAsync(configure: b =>
    {
        b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
        b.Configuration["Quarry:Jobs:RetryDelay"] = "00:00:00.050";
        b.Configuration["Quarry:ShutdownTimeout"] = "00:00:02"; // sleeping jobs still running at the end are handed back, not waited for
    });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_original_range_job_runs_to_complete_with_its_worker_recorded()
    {
        // The original clients posted without a JSON content type.
        using var response = await Client.PostAsync("/jobs", new StringContent("{\"start\": 1, \"end\": 100}", Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var submitted = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("submitted", submitted.GetProperty("status").GetString());
        Assert.Equal(1, submitted.GetProperty("start").GetInt32());
        Assert.Equal(100, submitted.GetProperty("end").GetInt32());
        var id = submitted.GetProperty("id").GetGuid();

        var job = await JobWaits.UntilFinalAsync(Client, id);
        Assert.Equal("complete", job.GetProperty("status").GetString());
        Assert.Equal(5050, job.GetProperty("result").GetProperty("sum").GetInt64());
        Assert.Equal(100, job.GetProperty("result").GetProperty("count").GetInt64());
        Assert.False(string.IsNullOrEmpty(job.GetProperty("worker").GetString()));
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.True(job.GetProperty("finishedAt").GetDateTimeOffset() >= job.GetProperty("startedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Any_start_and_end_values_are_echoed_kept_and_run_to_complete()
    {
        // The original's own example, posted as its clients did, without a JSON content type.
        using var response = await Client.PostAsync("/jobs", new StringContent("{\"start\": \"go!\", \"end\": \"stop!\"}", Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var submitted = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["id", "status", "start", "end"], submitted.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("submitted", "go!", "stop!"), (submitted.GetProperty("status").GetString(), submitted.GetProperty("start").GetString(), submitted.GetProperty("end").GetString()));

        var job = await JobWaits.UntilFinalAsync(Client, submitted.GetProperty("id").GetGuid());
        Assert.Equal("complete", job.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(job.GetProperty("worker").GetString()));
        Assert.Equal(("go!", "stop!"), (job.GetProperty("start").GetString(), job.GetProperty("end").GetString()));
        Assert.False(job.TryGetProperty("result", out _));

        foreach (var (body, sum) in new[] { ("{\"start\": 5, \"end\": 1}", (long?)0), ("{\"start\": 1.5, \"end\": [2, {\"x\": null}]}", null), ("{\"start\": null, \"end\": true}", null) })
        {
            using var other = await Client.PostAsync("/jobs", new StringContent(body), Ct);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            var echoed = await other.Content.ReadFromJsonAsync<JsonElement>(Ct);
            using var sent = JsonDocument.Parse(body);
            Assert.True(JsonElement.DeepEquals(sent.RootElement.GetProperty("start"), echoed.GetProperty("start")), body);
            Assert.True(JsonElement.DeepEquals(sent.RootElement.GetProperty("end"), echoed.GetProperty("end")), body);
            var done = await JobWaits.UntilFinalAsync(Client, echoed.GetProperty("id").GetGuid());
            Assert.Equal("complete", done.GetProperty("status").GetString());
            Assert.Equal(sum, done.TryGetProperty("result", out var result) ? result.GetProperty("sum").GetInt64() : null);
        }
    }

    [Fact]
    public async Task Typed_jobs_run_and_unknown_types_are_refused()
    {
        using var ok = await Client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = 10 } }, Ct);
        var id = (await ok.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        Assert.Equal("complete", (await JobWaits.UntilFinalAsync(Client, id)).GetProperty("status").GetString());

        using var unknown = await Client.PostAsJsonAsync("/jobs", new { type = "mine-bitcoin" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("range", (await unknown.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var types = await Client.GetFromJsonAsync<JsonElement>("/jobs/types", Ct);
        Assert.Contains(types.GetProperty("types").EnumerateArray(), t => t.GetString() == "range");
    }

    [Fact]
    public async Task Malformed_bodies_and_unknown_ids_get_clear_4xx_problems()
    {
        var bodies = new[]
        {
            "", "not json", "[1,2]", "{\"start\": 1}", "{\"end\": \"stop!\"}", "\"go!\"", "{\"type\": 5}", "{\"type\": \"sleep\", \"payload\": {\"ms\": -1}}",
            "{\"start\": 1, \"end\": 2", new string('[', 200) + new string(']', 200),
        };
        foreach (var body in bodies)
        {
            using var response = await Client.PostAsync("/jobs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // Invalid UTF-8 inside a string is only found when the string is read, so it is checked up front.
        foreach (var bytes in new byte[][] { [.. "{\"type\":\""u8, 0xff, .. "\",\"payload\":{}}"u8], [.. "{\"start\":\""u8, 0xff, .. "\",\"end\":2}"u8] })
        {
            using var response = await Client.PostAsync("/jobs", new ByteArrayContent(bytes), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var missing = await Client.GetAsync($"/jobs/{Guid.NewGuid()}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var notAnId = await Client.GetAsync("/jobs/not-an-id", Ct);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        foreach (var query in new[] { "status=done", "limit=0", "limit=x", "limit=100000", "cursor=garbage" })
        {
            using var response = await Client.GetAsync($"/jobs?{query}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Listing_filters_by_status_and_pages()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await Client.PostAsJsonAsync("/jobs", new { start = i, end = i + 10 }, Ct);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid());
        }

        foreach (var id in ids)
        {
            await JobWaits.UntilFinalAsync(Client, id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await Client.GetFromJsonAsync<JsonElement>($"/jobs?status=complete&limit=4{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", Ct);
            seen.AddRange(page.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen.Where(ids.Contains));
    }

    [Fact]
    public async Task Counts_show_how_many_jobs_are_in_each_status()
    {
        var empty = await Client.GetFromJsonAsync<JsonElement>("/jobs/counts", Ct);
        Assert.Equal(["submitted", "in progress", "complete", "failed", "cancelled"], empty.EnumerateObject().Select(p => p.Name));
        Assert.All(empty.EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt64()));

        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Client.PostAsJsonAsync("/jobs", new { type = "noop" }, Ct);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid());
        }

        using var refused = await Client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = -1 } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var wrongType = await Client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = "x" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        foreach (var id in ids)
        {
            await JobWaits.UntilFinalAsync(Client, id);
        }

        var counts = await Client.GetFromJsonAsync<Dictionary<string, long>>("/jobs/counts", Ct);
        Assert.Equal(new Dictionary<string, long> { ["submitted"] = 0, ["in progress"] = 0, ["complete"] = 3, ["failed"] = 0, ["cancelled"] = 0 }, counts);
    }

    [Fact]
    public async Task A_job_that_has_not_started_can_be_cancelled_and_a_finished_one_cannot()
    {
        using var first = await Client.PostAsJsonAsync("/jobs", new { type = "noop" }, Ct);
        var finished = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        Assert.Equal("complete", (await JobWaits.UntilFinalAsync(Client, finished)).GetProperty("status").GetString());

        // Hold every in-process worker slot (four) with jobs that outlast the test, so the next job must wait.
        for (var i = 0; i < 4; i++)
        {
            using var r = await Client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = 60_000 } }, Ct);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        await Wait.UntilAsync(
            async () => (await Client.GetFromJsonAsync<JsonElement>("/jobs/counts", Ct)).GetProperty("in progress").GetInt64() == 4,
            TimeSpan.FromSeconds(30), () => "the four sleeping jobs to start");

        using var queued = await Client.PostAsJsonAsync("/jobs", new { type = "noop" }, Ct);
        var id = (await queued.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using var cancel = await Client.PostAsync($"/jobs/{id}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        Assert.Equal("cancelled", (await Client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", Ct)).GetProperty("status").GetString());

        using var late = await Client.DeleteAsync($"/jobs/{finished}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("complete", (await Client.GetFromJsonAsync<JsonElement>($"/jobs/{finished}", Ct)).GetProperty("status").GetString());
    }
}

/// <summary>Polling helpers for job states.</summary>
internal static class JobWaits
{
    public static async Task<JsonElement> UntilFinalAsync(HttpClient client, Guid id, TimeSpan? timeout = null)
    {
        JsonElement job = default;
        await Wait.UntilAsync(
            async () => (job = await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", TestContext.Current.CancellationToken))
                .GetProperty("status").GetString() is "complete" or "failed" or "cancelled",
            timeout ?? TimeSpan.FromSeconds(30), () => $"job {id} to finish (still {job.GetProperty("status").GetString()})");
        return job;
    }
}
