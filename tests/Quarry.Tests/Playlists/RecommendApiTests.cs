using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Playlists.Model;

namespace Quarry.Tests.Playlists;

public sealed class RecommendApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Before_any_model_the_api_answers_503_with_retry_after()
    {
        await using var server = await PlaylistServer.StartAsync();
        using var response = await server.Client.PostAsync("/api/recommend", Json("""{"songs":[]}"""), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        using var songs = await server.Client.GetAsync("/api/playlists/songs", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, songs.StatusCode);
        using var ready = await server.Client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task Recommends_from_rules_with_version_and_nine_digit_model_date()
    {
        await using var server = await PlaylistServer.StartAsync();
        var publication = await server.PublishAsync("2.3.4");
        await server.WaitForModelAsync(publication);

        // The antecedent of a mined rule is an input that rules must answer.
        var model = server.Server.App.Services.GetRequiredService<ModelSwap<RuleModel>>().Current!.Model;
        var rule = model.Rules.OrderByDescending(r => r.Antecedent.Length).First();
        var seed = rule.Antecedent.Select(i => model.Songs[i]).ToArray();
        // Any content type is accepted: the seed's clients did not always send application/json.
        using var response = await server.Client.PostAsync("/api/recommend",
            new StringContent(JsonSerializer.Serialize(new { songs = seed, limit = 5 }), Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal("2.3.4", body.GetProperty("version").GetString());
        Assert.Equal(publication.ModelDate, body.GetProperty("model_date").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{9}$", body.GetProperty("model_date").GetString());
        Assert.Equal("rules", body.GetProperty("source").GetString());
        var songs = body.GetProperty("songs").EnumerateArray().Select(s => s.GetString()).ToArray();
        Assert.InRange(songs.Length, 1, 5);
        Assert.DoesNotContain(songs, seed.Contains);
        Assert.Contains(model.Songs[rule.Consequent], songs.Concat(model.Recommend(seed, 100).Songs));

        using var again = await server.Client.PostAsync("/api/recommend", Json(JsonSerializer.Serialize(new { songs = seed, limit = 5 })), Ct);
        Assert.Equal(songs, (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("songs").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Unknown_songs_fall_back_to_popular_and_are_reported()
    {
        await using var server = await PlaylistServer.StartAsync();
        await server.WaitForModelAsync(await server.PublishAsync());
        using var response = await server.Client.PostAsync("/api/recommend", Json("""{"songs":["No Such Song"],"limit":3}"""), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("popular", body.GetProperty("source").GetString());
        Assert.Equal(3, body.GetProperty("songs").GetArrayLength());
        Assert.Equal("No Such Song", body.GetProperty("unknown")[0].GetString());
    }

    [Fact]
    public async Task Malformed_bodies_get_4xx_problems_and_never_5xx()
    {
        await using var server = await PlaylistServer.StartAsync();
        await server.WaitForModelAsync(await server.PublishAsync());
        var bodies = new (string Name, HttpContent? Content)[]
        {
            ("no body", null),
            ("empty", Json("")),
            ("not json", Json("songs=a,b")),
            ("wrong root", Json("[\"a\"]")),
            ("songs not a list", Json("""{"songs":"a"}""")),
            ("songs of numbers", Json("""{"songs":[1,2]}""")),
            ("limit wrong type", Json("""{"songs":[],"limit":"ten"}""")),
            ("1 MB string", Json("{\"songs\":[\"" + new string('x', 1_000_000) + "\"]}")),
            ("100k songs", Json("{\"songs\":[" + string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"song {i}\"")) + "]}")),
            ("truncated", Json("""{"songs":["a" """)),
            ("binary", new ByteArrayContent([0xff, 0xfe, 0x00, 0x01])),
            ("invalid UTF-8 inside a string", new ByteArrayContent([.. "{\"songs\":[\""u8, 0xff, 0xfe, .. "\"]}"u8])),
        };
        foreach (var (name, content) in bodies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/recommend") { Content = content };
            using var response = await server.Client.SendAsync(request, Ct);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), name);
        }

        using var ok = await server.Client.PostAsync("/api/recommend", Json("""{"songs":[]}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode); // the server is still fine
    }

    [Fact]
    public async Task Songs_search_is_filtered_and_validated()
    {
        await using var server = await PlaylistServer.StartAsync();
        await server.WaitForModelAsync(await server.PublishAsync());
        var all = await server.Client.GetFromJsonAsync<JsonElement>("/api/playlists/songs?limit=50", Ct);
        var counts = all.GetProperty("songs").EnumerateArray().Select(s => s.GetProperty("playlists").GetInt32()).ToArray();
        Assert.Equal(50, counts.Length);
        Assert.Equal(counts.OrderDescending(), counts);

        var name = all.GetProperty("songs")[7].GetProperty("song").GetString()!;
        var fragment = name[^5..].ToUpperInvariant();
        var found = await server.Client.GetFromJsonAsync<JsonElement>($"/api/playlists/songs?search={Uri.EscapeDataString(fragment)}", Ct);
        Assert.Contains(found.GetProperty("songs").EnumerateArray(), s => s.GetProperty("song").GetString() == name);
        Assert.All(found.GetProperty("songs").EnumerateArray(), s => Assert.Contains(fragment, s.GetProperty("song").GetString()!, StringComparison.OrdinalIgnoreCase));

        foreach (var bad in new[] { "limit=0", "limit=abc", "limit=100000" })
        {
            using var response = await server.Client.GetAsync($"/api/playlists/songs?{bad}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
