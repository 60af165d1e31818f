using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>The fake refuses what a real API server refuses, with the same codes and Status bodies.</summary>
public sealed class FakeKubernetesApiTests : IAsyncLifetime
{
    private const string ValidJob = """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"generateName":"ff-mnist-","labels":{"app.kubernetes.io/name":"quarry-classify"}},
         "spec":{"backoffLimit":1,"template":{"spec":{"restartPolicy":"Never","containers":[
           {"name":"classify","image":"quarry:1","resources":{"requests":{"cpu":"900m"},"limits":{"cpu":"900m"}}}]}}}}
        """;

    private readonly HttpClient _http = new();
    private FakeKubernetesApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await FakeKubernetesApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_job_is_created_with_a_generated_name_uid_and_resource_version()
    {
        var (code, body) = await PostJob("free-service", ValidJob);

        Assert.Equal(HttpStatusCode.Created, code);
        var meta = body["metadata"]!;
        Assert.Matches("^ff-mnist-[bcdfghjklmnpqrstvwxz2456789]{5}$", (string?)meta["name"]);
        Assert.True(Guid.TryParse((string?)meta["uid"], out _));
        Assert.True(long.Parse((string)meta["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.EndsWith("Z", (string?)meta["creationTimestamp"], StringComparison.Ordinal);
        Assert.Equal((string?)meta["uid"], (string?)body["spec"]!["template"]!["metadata"]!["labels"]!["controller-uid"]);
    }

    [Theory]
    [InlineData("""{"restartPolicy":"Never","containers":[]}""", "spec.template.spec.containers: Required value")]
    [InlineData("""{"restartPolicy":"Never"}""", "spec.template.spec.containers: Required value")]
    [InlineData("""{"restartPolicy":"Never","containers":[{"name":"classify"}]}""", "spec.template.spec.containers[0].image: Required value")]
    [InlineData("""{"restartPolicy":"Never","containers":[{"name":"Classify","image":"q"}]}""", "spec.template.spec.containers[0].name: Invalid value: \"Classify\"")]
    [InlineData("""{"containers":[{"name":"c","image":"q"}]}""", "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"")]
    [InlineData("""{"restartPolicy":"Always","containers":[{"name":"c","image":"q"}]}""", "Unsupported value: \"Always\"")]
    [InlineData("""{"restartPolicy":"Never","containers":[{"name":"c","image":"q","env":[{"name":"1X","value":"v"}]}]}""", "env[0].name: Invalid value: \"1X\"")]
    [InlineData("""{"restartPolicy":"Never","containers":[{"name":"c","image":"q","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"900m"}}}]}""", "must be less than or equal to cpu limit of 900m")]
    public async Task A_job_missing_required_fields_is_422_invalid(string podSpec, string message)
    {
        var (code, body) = await PostJob("default", """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j1"},"spec":{"template":{"spec":""" + podSpec + "}}}");

        AssertStatus(body, code, HttpStatusCode.UnprocessableEntity, "Invalid", message);
        Assert.Equal("Job", (string?)body["details"]!["kind"]);
        Assert.NotEmpty(body["details"]!["causes"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"name":"Bad_Name"}""", "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain")]
    [InlineData("""{"generateName":"FF-"}""", "metadata.generateName: Invalid value: \"FF\"")]
    [InlineData("""{}""", "metadata.name: Required value: name or generateName is required")]
    [InlineData("""{"name":"a-name-that-is-much-longer-than-sixty-three-characters-which-jobs-refuse"}""", "Too long: may not be more than 63 bytes")]
    [InlineData("""{"name":"j","labels":{"quarry.io/tier":"not valid!"}}""", "metadata.labels: Invalid value: \"not valid!\"")]
    public async Task Invalid_names_and_labels_are_422(string metadata, string message)
    {
        var job = ValidJob.Replace("""{"generateName":"ff-mnist-","labels":{"app.kubernetes.io/name":"quarry-classify"}}""", metadata, StringComparison.Ordinal);

        var (code, body) = await PostJob("default", job);

        AssertStatus(body, code, HttpStatusCode.UnprocessableEntity, "Invalid", message);
    }

    [Fact]
    public async Task An_invalid_quantity_is_400_as_the_decoder_refuses_it()
    {
        var (code, body) = await PostJob("default", ValidJob.Replace("\"limits\":{\"cpu\":\"900m\"}", "\"limits\":{\"cpu\":\"abc\"}", StringComparison.Ordinal));

        AssertStatus(body, code, HttpStatusCode.BadRequest, "BadRequest", "quantities must match the regular expression");
    }

    [Fact]
    public async Task An_unknown_namespace_is_404_not_found_for_an_account_allowed_there()
    {
        var (code, body) = await PostJob("no-such-namespace", ValidJob, FakeKubernetesApi.AdminToken);

        AssertStatus(body, code, HttpStatusCode.NotFound, "NotFound", "namespaces \"no-such-namespace\" not found");
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized")]
    [InlineData("wrong-token", HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized")]
    [InlineData(FakeKubernetesApi.UnboundToken, HttpStatusCode.Forbidden, "Forbidden",
        "jobs.batch is forbidden: User \"system:serviceaccount:default:default\" cannot create resource \"jobs\" in API group \"batch\" in the namespace \"default\"")]
    public async Task Missing_wrong_or_unbound_tokens_are_refused_with_a_status(string? token, HttpStatusCode expected, string reason, string message)
    {
        var (code, body) = await PostJob("default", ValidJob, token);

        AssertStatus(body, code, expected, reason, message);
        Assert.Empty(_api.Cluster.Jobs());
    }

    [Fact]
    public async Task The_executor_account_may_not_create_jobs_outside_its_namespaces()
    {
        var (code, body) = await PostJob("kube-system", ValidJob);

        AssertStatus(body, code, HttpStatusCode.Forbidden, "Forbidden", "cannot create resource \"jobs\" in API group \"batch\" in the namespace \"kube-system\"");
    }

    [Fact]
    public async Task The_quota_admits_two_free_pods_and_the_third_when_one_finishes()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await PostJob("free-service", ValidJob)).Code);
        }

        Assert.Equal(["Running", "Running"], _api.Cluster.Pods().Where(p => p.Namespace == "free-service").Select(p => p.Phase));
        var waiting = Assert.Single(_api.Cluster.Jobs(), j => !j.HasPod);
        Assert.Equal("pods is forbidden: exceeded quota: compute-resources, requested: limits.cpu=900m, used: limits.cpu=1800m, limited: limits.cpu=2", waiting.Refusal);

        Assert.Equal(2, _api.Cluster.CompleteRunningPods());

        Assert.All(_api.Cluster.Jobs(), j => Assert.True(j.HasPod));
        Assert.Single(_api.Cluster.Pods(), p => p.Phase == "Running");
    }

    [Fact]
    public async Task A_free_pod_without_a_cpu_limit_is_refused_by_the_quota()
    {
        var (code, _) = await PostJob("free-service", ValidJob.Replace(",\"limits\":{\"cpu\":\"900m\"}", "", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, code);
        var job = Assert.Single(_api.Cluster.Jobs());
        Assert.False(job.HasPod);
        Assert.Equal("pods is forbidden: failed quota: compute-resources: must specify limits.cpu for: classify", job.Refusal);
    }

    [Fact]
    public async Task A_watch_streams_newline_delimited_events_and_an_expired_version_gets_410()
    {
        var (_, list) = await Send(HttpMethod.Get, "/api/v1/pods", null, FakeKubernetesApi.Token);
        var version = (string)list["metadata"]!["resourceVersion"]!;

        using var request = Request(HttpMethod.Get, $"/api/v1/pods?watch=true&resourceVersion={version}", null, FakeKubernetesApi.Token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        _api.Cluster.SeedPods("kube-system", 2);
        var first = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
        var second = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
        Assert.Equal(("ADDED", "ADDED"), ((string?)first["type"], (string?)second["type"]));
        Assert.Equal(("Pod", "kube-system"), ((string?)first["object"]!["kind"], (string?)first["object"]!["metadata"]!["namespace"]));
        Assert.True(long.Parse((string)second["object"]!["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture) >
                    long.Parse((string)first["object"]!["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture));

        _api.Cluster.Compact();
        using var expired = Request(HttpMethod.Get, $"/api/v1/pods?watch=true&resourceVersion={version}", null, FakeKubernetesApi.Token);
        using var gone = await _http.SendAsync(expired, Ct);
        var error = JsonNode.Parse((await gone.Content.ReadAsStringAsync(Ct)).Trim())!;
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal((410, "Expired"), ((int)error["object"]!["code"]!, (string?)error["object"]!["reason"]));
    }

    private static void AssertStatus(JsonObject body, HttpStatusCode code, HttpStatusCode expected, string reason, string message)
    {
        Assert.Equal(expected, code);
        Assert.Equal(("Status", "v1", "Failure", reason, (int)expected),
            ((string?)body["kind"], (string?)body["apiVersion"], (string?)body["status"], (string?)body["reason"], (int)body["code"]!));
        Assert.Contains(message, (string?)body["message"], StringComparison.Ordinal);
    }

    private Task<(HttpStatusCode Code, JsonObject Body)> PostJob(string ns, string json, string? token = FakeKubernetesApi.Token) =>
        Send(HttpMethod.Post, $"/apis/batch/v1/namespaces/{ns}/jobs", json, token);

    private async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpMethod method, string path, string? json, string? token)
    {
        using var request = Request(method, path, json, token);
        using var response = await _http.SendAsync(request, Ct);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string? json, string? token)
    {
        var request = new HttpRequestMessage(method, _api.Url + path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }
}
