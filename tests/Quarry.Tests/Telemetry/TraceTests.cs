using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;
using Quarry.TestSupport.Servers;
using StackExchange.Redis;

namespace Quarry.Tests.Telemetry;

/// <summary>W3C trace context from an HTTP request, through the job record in the backend, to the worker's span.</summary>
public sealed class TraceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task A_job_submitted_with_a_traceparent_runs_in_a_span_whose_parent_is_the_submitting_request(string backend)
    {
        await using var redis = backend == "redis" ? await RedisServer.StartAsync() : null;
        var prefix = "trace" + Guid.NewGuid().ToString("N")[..8];
        using var spans = new SpanCapture();
        await using var server = await QuarryServer.StartAsync(configure: b =>
        {
            b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
            b.Configuration["Quarry:Services"] = "jobs";
            b.Configuration["Quarry:Jobs:Prefix"] = prefix;
            if (redis is not null)
            {
                b.Configuration["Quarry:Jobs:Backend"] = "redis";
                b.Configuration["Quarry:Jobs:Redis"] = redis.ConnectionString;
                b.Configuration["Quarry:Jobs:ServeWorkers"] = "2"; // the worker knows the job only from what Redis hands it
            }
        });

        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = JsonContent.Create(new { start = "go!", end = "stop!" }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        using var response = await server.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        Activity? job = null;
        await Wait.UntilAsync(() => (job = spans.Find(a => a.Source.Name == "Quarry.Jobs" && (string?)a.GetTagItem("messaging.message.id") == id.ToString("D"))) is not null,
            TimeSpan.FromSeconds(30), $"the worker's span of job {id}");
        var serverSpan = spans.Find(a => a.Source.Name == "Microsoft.AspNetCore" && a.TraceId == traceId);
        Assert.NotNull(serverSpan);

        Assert.Equal(traceId, serverSpan.TraceId);
        Assert.Equal(callerSpan, serverSpan.ParentSpanId);
        Assert.Equal(traceId, job!.TraceId);
        Assert.Equal(serverSpan.SpanId, job.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, job.Kind);
        Assert.Equal((backend, "range", "complete"), ((string?)job.GetTagItem("messaging.system"), (string?)job.GetTagItem("quarry.job.type"),
            (string?)job.GetTagItem("quarry.job.outcome")));

        var record = await server.Client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", Ct);
        Assert.Equal(traceId.ToString(), record.GetProperty("traceId").GetString());
        if (redis is not null)
        {
            await using var raw = await ConnectionMultiplexer.ConnectAsync($"{redis.Host}:{redis.Port}");
            var stored = (string?)await raw.GetDatabase().HashGetAsync($"{prefix}:job:{id:D}", "traceparent");
            Assert.Equal($"00-{traceId}-{serverSpan.SpanId}-01", stored);
        }
    }

    [Fact]
    public async Task A_job_submitted_outside_any_trace_gets_a_span_of_its_own()
    {
        using var spans = new SpanCapture(aspNetCore: false);
        await using var server = await QuarryServer.StartAsync(configure: b =>
        {
            b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
            b.Configuration["Quarry:Services"] = "jobs";
            b.Logging.ClearProviders(); // no logging: ASP.NET Core then starts no request activity at all
        });

        using var response = await server.Client.PostAsJsonAsync("/jobs", new { type = "noop" }, Ct);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        Activity? job = null;
        await Wait.UntilAsync(() => (job = spans.Find(a => (string?)a.GetTagItem("messaging.message.id") == id.ToString("D"))) is not null,
            TimeSpan.FromSeconds(30), $"the worker's span of job {id}");
        Assert.Equal(default, job!.ParentSpanId);
        Assert.False((await server.Client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", Ct)).TryGetProperty("traceId", out _));
    }

    /// <summary>Records every finished activity of the server and job sources in this process, as an exporter would see them.</summary>
    private sealed class SpanCapture : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanCapture(bool aspNetCore = true)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Quarry.Jobs" || (aspNetCore && source.Name == "Microsoft.AspNetCore"),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public Activity? Find(Func<Activity, bool> match) => _stopped.FirstOrDefault(match);

        public void Dispose() => _listener.Dispose();
    }
}
