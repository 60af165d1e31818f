using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quarry.Tests.Infrastructure;

namespace Quarry.Tests.Server;

public sealed class ServerBasicsTests : IAsyncLifetime
{
    private QuarryServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await QuarryServer.StartAsync(map: app =>
    {
        app.MapPost("/test/echo", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return TypedResults.Text((await reader.ReadToEndAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapPost("/test/typed", (Payload payload) => TypedResults.Ok(payload));
        app.MapGet("/test/throw", string () => throw new InvalidOperationException("secret internal detail"));
    });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Client => _server.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_is_200_with_the_version()
    {
        using var response = await Client.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("alive", body.GetProperty("status").GetString());
        Assert.Matches(@"^app;dur=\d+(\.\d+)?$", response.Headers.GetValues("Server-Timing").Single());
        Assert.Equal(Core.Hosting.QuarryInfo.Version, body.GetProperty("version").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", body.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/about", HttpStatusCode.OK)] // written by the JSON serializer, which starts the answer itself
    [InlineData("GET", "/no/such/path", HttpStatusCode.NotFound)]
    [InlineData("POST", "/healthz", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/test/typed", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/test/throw", HttpStatusCode.InternalServerError)]
    public async Task Every_answer_carries_server_timing(string method, string path, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await Client.SendAsync(request, Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Matches(@"^app;dur=\d+\.\d{3}$", response.Headers.GetValues("Server-Timing").Single());
    }

    [Fact]
    public async Task Post_to_healthz_is_405_problem_json()
    {
        using var response = await Client.PostAsync("/healthz", null, Ct);
        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Unknown_path_is_404_problem_json()
    {
        using var response = await Client.GetAsync("/no/such/thing", Ct);
        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("/no/such/thing", problem.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Readyz_is_200_once_the_demo_model_is_loaded()
    {
        await _server.WaitUntilReadyAsync();
        using var response = await Client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("shutdown").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("playlists").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Home_page_and_its_assets_are_served()
    {
        var html = await Client.GetStringAsync("/", Ct);
        Assert.Contains("<title>Quarry</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal); // no external CDN
        using var css = await Client.GetAsync("/css/quarry.css", Ct);
        using var js = await Client.GetAsync("/js/quarry.js", Ct);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
    }

    [Fact]
    public async Task About_lists_version_and_pages()
    {
        var about = await Client.GetFromJsonAsync<JsonElement>("/api/about", Ct);
        Assert.Equal("Quarry", about.GetProperty("product").GetString());
        Assert.Contains(about.GetProperty("pages").EnumerateArray(), p => p.GetProperty("path").GetString() == "/api-reference");
        Assert.Contains(about.GetProperty("pages").EnumerateArray(), p => p.GetProperty("path").GetString() == "/dashboard");
    }

    [Fact]
    public async Task OpenApi_document_describes_the_endpoints()
    {
        var doc = await Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/healthz", out _));
        Assert.True(paths.TryGetProperty("/readyz", out _));
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_problem_json()
    {
        // Like curl with a large upload: announce the body and wait for the server's go-ahead. The server refuses from the
        // Content-Length and closes the connection; a body sent meanwhile would make that close a reset instead of an answer.
        using var client = _server.CreateClientWaitingForContinue();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/test/echo") { Content = new ByteArrayContent(new byte[5 * 1024 * 1024]) };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request, Ct);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Body_under_the_limit_is_read()
    {
        using var content = new StringContent(new string('x', 1000));
        using var response = await Client.PostAsync("/test/echo", content, Ct);
        Assert.Equal("1000", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Malformed_json_is_400_problem_json()
    {
        using var content = new StringContent("{\"name\": ", Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/test/typed", content, Ct);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Wrong_content_type_is_415_problem_json()
    {
        using var content = new StringContent("name=x", Encoding.UTF8, "text/plain");
        using var response = await Client.PostAsync("/test/typed", content, Ct);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Unhandled_exception_is_500_problem_without_internals()
    {
        using var response = await Client.GetAsync("/test/throw", Ct);
        await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("secret internal detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("at Quarry", text, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    public sealed record Payload(string Name);
}
