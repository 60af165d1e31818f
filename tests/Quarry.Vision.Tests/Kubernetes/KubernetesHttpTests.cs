using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Quarry.TestSupport;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>The original routes served by a real Kestrel server whose executor is the Kubernetes one, against the fake API server.</summary>
public sealed class KubernetesHttpTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Submissions_answer_503_with_the_reason_while_the_API_is_down_or_refuses_and_work_again_after()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.Cluster.SeedPods("kube-system", 5);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["Quarry:DataDir"] = _folder.Path;
        builder.Configuration["Quarry:Vision:Executor"] = "kubernetes";
        builder.Configuration["Quarry:Vision:Kubernetes:KubeConfig"] = api.WriteKubeconfig(_folder.Path);
        builder.Services.AddVision();
        await using var app = builder.Build();
        app.MapVision();
        await app.StartAsync(Ct);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var job = await SubmitAsync(client, HttpStatusCode.OK);
        Assert.Equal("free-service", job.GetProperty("namespace").GetString());
        Assert.Matches("^ff-mnist-[a-z0-9]{5}$", job.GetProperty("name").GetString());
        await Wait.UntilAsync(() => Pods(client).Count(p => p.Namespace == "kube-system") == 5
            && Pods(client).Any(p => p.Name.StartsWith(job.GetProperty("name").GetString()!, StringComparison.Ordinal)), KubernetesTestCluster.Patience, api.CallSummary);

        await api.GoDownAsync();
        var down = await SubmitAsync(client, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("unreachable", down.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        using (var config = await client.GetAsync("/config", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, config.StatusCode); // the cache still answers
        }

        await api.ComeBackAsync();
        await Wait.UntilAsync(() => Submit(client).StatusCode == HttpStatusCode.OK, KubernetesTestCluster.Patience, api.CallSummary);

        api.RevokeRbac(true);
        var refused = await SubmitAsync(client, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("403", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        api.RevokeRbac(false);
        await Wait.UntilAsync(() => Submit(client).StatusCode == HttpStatusCode.OK, KubernetesTestCluster.Patience, api.CallSummary);
    }

    private static HttpResponseMessage Submit(HttpClient client) =>
        client.PostAsync("/img-classification/free", new StringContent("{\"dataset\":\"mnist\"}"), Ct).GetAwaiter().GetResult();

    private static async Task<JsonElement> SubmitAsync(HttpClient client, HttpStatusCode expected)
    {
        using var response = await client.PostAsync("/img-classification/free", new StringContent("{\"dataset\":\"mnist\"}"), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    private static List<(string Namespace, string Name)> Pods(HttpClient client)
    {
        var body = client.GetFromJsonAsync<JsonElement>("/config", Ct).GetAwaiter().GetResult();
        return [.. body.GetProperty("pods").EnumerateArray().Select(p => (p.GetProperty("namespace").GetString()!, p.GetProperty("name").GetString()!))];
    }
}
