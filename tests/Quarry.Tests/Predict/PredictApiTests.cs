using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Predict.Model;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Predict;

/// <summary>Predictions through the embedded queue and in-process workers, as a fresh `quarry serve` runs them on demo data.</summary>
public sealed class PredictApiTests : IAsyncLifetime
{
    private const string TwoRows = """{"rows":[[6,148,72,35,0,33.6,0.627,50],[1,85,66,29,0,26.6,0.351,31]]}""";
    private QuarryServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await QuarryServer.StartAsync(configure: b =>
        {
            b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
            b.Configuration["Quarry:Movies:Bootstrap"] = "false";
            b.Configuration["Quarry:Predict:PollInterval"] = "00:00:00.200";
        });
        var swap = _server.App.Services.GetRequiredService<ModelSwap<DiabetesModel>>();
        await Wait.UntilAsync(() => swap.Current is not null, TimeSpan.FromSeconds(60), "the demo diabetes model to be trained");
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Predicts_probabilities_and_classes_through_a_worker()
    {
        using var response = await _server.Client.PostAsync("/api/predict/diabetes", new StringContent(TwoRows, Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var probabilities = body.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
        Assert.Equal(2, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.True(probabilities[0] > probabilities[1], "high glucose and BMI should score above the healthy row");
        Assert.Equal(probabilities.Select(p => p >= 0.5f ? 1 : 0), body.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()));
        Assert.True(body.GetProperty("demo").GetBoolean());

        var job = await _server.Client.GetFromJsonAsync<JsonElement>($"/jobs/{body.GetProperty("jobId").GetGuid()}", Ct);
        Assert.Equal("complete", job.GetProperty("status").GetString());
        Assert.Equal("diabetes.predict", job.GetProperty("type").GetString());
        Assert.Equal(body.GetProperty("worker").GetString(), job.GetProperty("worker").GetString());
    }

    [Fact]
    public async Task Wait_false_returns_the_job_at_once()
    {
        using var response = await _server.Client.PostAsync("/api/predict/diabetes?wait=false", new StringContent(TwoRows), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        Assert.Equal($"/jobs/{id}", response.Headers.Location?.ToString());
        var job = await JobWaitsForTests.FinalAsync(_server.Client, id);
        Assert.Equal(2, job.GetProperty("result").GetProperty("probabilities").GetArrayLength());
    }

    [Fact]
    public async Task Bad_rows_get_4xx_problems_naming_the_feature()
    {
        var cases = new (string Body, string Reason)[]
        {
            ("""{"rows":[[6,148,72,35,0,33.6,0.627]]}""", "has 7 values"),
            ("""{"rows":[[6,"high",72,35,0,33.6,0.627,50]]}""", "glucose"),
            ("""{"rows":[[6,148,72,35,0,33.6,0.627,"NaN"]]}""", "age"),
            ("""{"rows":[[6,148,72,35,0,1e999,0.627,50]]}""", "bmi"),
            ("""{"rows":[[6,148,72,35,0,33.6,0.627,-4]]}""", "age"),
            ("""{"rows":[[6,948,72,35,0,33.6,0.627,50]]}""", "glucose"),
            ("""{"rows":[]}""", "from 1"),
            ("""{"rows":"x"}""", "rows"),
            ("[1,2]", "rows"),
            ("not json", "not valid JSON"),
            ("", "required"),
        };
        foreach (var (body, reason) in cases)
        {
            using var response = await _server.Client.PostAsync("/api/predict/diabetes", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // A million rows is far over the body limit: 413, not a hang or a 500.
        var huge = "{\"rows\":[" + string.Join(",", Enumerable.Repeat("[6,148,72,35,0,33.6,0.627,50]", 1_000_000)) + "]}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict/diabetes") { Content = new StringContent(huge) };
        request.Headers.ExpectContinue = true;
        using var tooBig = await _server.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
    }

    [Fact]
    public async Task Predictions_and_accuracy_pages_run_the_held_out_rows_through_workers()
    {
        var form = await _server.Client.GetStringAsync("/predictions", Ct);
        Assert.Contains("<form method=\"post\" action=\"/predictions\">", form, StringComparison.Ordinal);
        Assert.Contains("Demo data", form, StringComparison.Ordinal);

        using var run = await _server.Client.PostAsync("/predictions", null, Ct);
        var html = await run.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Matches(@"id=""accuracy"">\d+\.\d\d%", html);
        var rows = _server.App.Services.GetRequiredService<ModelSwap<DiabetesModel>>().Current!.Model.HeldOutRows.Count;
        Assert.Equal(rows, System.Text.RegularExpressions.Regex.Matches(html, "<tr(?: class=\"miss\")?><td>\\d+</td>").Count);

        using var accuracy = await _server.Client.PostAsync("/accuracy", null, Ct);
        var summary = await accuracy.Content.ReadAsStringAsync(Ct);
        Assert.Contains("id=\"confusion\"", summary, StringComparison.Ordinal);
        Assert.Contains("(chosen)", summary, StringComparison.Ordinal);
    }
}

/// <summary>Polls /jobs/{id} until it is final.</summary>
internal static class JobWaitsForTests
{
    public static Task<JsonElement> FinalAsync(HttpClient client, Guid id) => Quarry.Tests.Jobs.JobWaits.UntilFinalAsync(client, id);
}
