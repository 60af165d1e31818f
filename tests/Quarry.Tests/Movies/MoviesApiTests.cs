using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Quarry.TestSupport.Servers;

namespace Quarry.Tests.Movies;

/// <summary>The movie API on the embedded SQLite store.</summary>
public sealed class SqliteMoviesApiTests : MoviesApiTests
{
    protected override Task<MovieServer> StartAsync(bool train = true) => MovieServer.StartAsync(train: train);
}

/// <summary>The same suite on a real PostgreSQL.</summary>
public sealed class PostgresMoviesApiTests : MoviesApiTests
{
    private readonly PostgresServer _postgres = new();

    public override async ValueTask InitializeAsync() => await _postgres.InitializeAsync();

    public override async ValueTask DisposeAsync() => await _postgres.DisposeAsync();

    protected override async Task<MovieServer> StartAsync(bool train = true)
    {
        var database = "movies_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new Npgsql.NpgsqlConnection(_postgres.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        return await MovieServer.StartAsync(_postgres.ConnectionString.Replace("Database=postgres", $"Database={database}", StringComparison.Ordinal), train);
    }
}

/// <summary>Catalog, likes and recommendations over HTTP; every subclass runs it on its own store.</summary>
public abstract class MoviesApiTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected abstract Task<MovieServer> StartAsync(bool train = true);

    [Fact]
    public async Task Catalog_search_genre_and_paging()
    {
        await using var server = await StartAsync(train: false);
        var page = await server.Client.GetFromJsonAsync<JsonElement>("/api/movies?page=2&pageSize=7", Ct);
        Assert.Equal(300, page.GetProperty("total").GetInt32());
        Assert.Equal(7, page.GetProperty("movies").GetArrayLength());
        Assert.Equal(2, page.GetProperty("page").GetInt32());

        var first = page.GetProperty("movies")[0];
        var id = first.GetProperty("id").GetInt32();
        var title = first.GetProperty("title").GetString()!;
        var found = await server.Client.GetFromJsonAsync<JsonElement>($"/api/movies?search={Uri.EscapeDataString(title.ToUpperInvariant())}", Ct);
        Assert.Contains(found.GetProperty("movies").EnumerateArray(), m => m.GetProperty("id").GetInt32() == id);

        var genres = await server.Client.GetFromJsonAsync<string[]>("/api/movies/genres", Ct);
        var genre = Assert.IsType<string[]>(genres)[0];
        var byGenre = await server.Client.GetFromJsonAsync<JsonElement>($"/api/movies?genre={Uri.EscapeDataString(genre)}&pageSize=100", Ct);
        Assert.All(byGenre.GetProperty("movies").EnumerateArray(), m => Assert.Contains(genre, m.GetProperty("genres").EnumerateArray().Select(g => g.GetString())));

        var one = await server.Client.GetFromJsonAsync<JsonElement>($"/api/movies/{id}", Ct);
        Assert.Equal(title, one.GetProperty("title").GetString());
        using var missing = await server.Client.GetAsync("/api/movies/987654", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Before_a_model_exists_recommendations_answer_503()
    {
        await using var server = await StartAsync(train: false);
        using var response = await server.Client.PostAsJsonAsync("/api/movies/recommend", new { liked = new[] { 1 } }, Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Recommends_with_reasons_and_reports_unknown_ids()
    {
        await using var server = await StartAsync();
        var liked = server.Model.Movies.Take(3).Select(m => m.Id).ToArray();
        using var response = await server.Client.PostAsync("/api/movies/recommend",
            new StringContent(JsonSerializer.Serialize(new { liked = liked.Append(999_999), limit = 5 }), Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("model", body.GetProperty("source").GetString());
        Assert.Equal([999_999], body.GetProperty("unknown").EnumerateArray().Select(u => u.GetInt32()));
        var movies = body.GetProperty("movies").EnumerateArray().ToArray();
        Assert.Equal(5, movies.Length);
        Assert.DoesNotContain(movies, m => liked.Contains(m.GetProperty("movie").GetProperty("id").GetInt32()));
        var scores = movies.Select(m => m.GetProperty("score").GetSingle()).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Contains(movies, m => m.GetProperty("because").GetArrayLength() > 0);
        Assert.All(movies.SelectMany(m => m.GetProperty("because").EnumerateArray()), b => Assert.Contains(b.GetProperty("id").GetInt32(), liked));
    }

    [Fact]
    public async Task Likes_are_stored_at_once_and_drive_user_recommendations()
    {
        await using var server = await StartAsync();
        var movie = server.Model.Movies[0].Id;
        using (var put = await server.Client.PutAsync($"/api/movies/users/ann/likes/{movie}", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var again = await server.Client.PutAsync($"/api/movies/users/ann/likes/{movie}", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode); // idempotent
        }

        var likes = await server.Client.GetFromJsonAsync<JsonElement>("/api/movies/users/ann/likes", Ct);
        Assert.Equal([movie], likes.EnumerateArray().Select(m => m.GetProperty("id").GetInt32()));
        var recs = await server.Client.GetFromJsonAsync<JsonElement>("/api/movies/users/ann/recommendations?limit=4", Ct);
        Assert.Equal("model", recs.GetProperty("source").GetString());
        Assert.Equal(4, recs.GetProperty("movies").GetArrayLength());

        using (var delete = await server.Client.DeleteAsync($"/api/movies/users/ann/likes/{movie}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Equal(0, (await server.Client.GetFromJsonAsync<JsonElement>("/api/movies/users/ann/likes", Ct)).GetArrayLength());
        using var unknown = await server.Client.PutAsync("/api/movies/users/ann/likes/987654", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Malformed_requests_get_4xx_problems()
    {
        await using var server = await StartAsync();
        var bodies = new[]
        {
            "", "nope", "[1]", "{}", "{\"liked\": \"1\"}", "{\"liked\": [\"a\"]}", "{\"liked\": [1.5]}", "{\"liked\": [1], \"limit\": 0}",
            "{\"liked\": [1], \"limit\": \"5\"}", "{\"liked\": [" + string.Join(",", Enumerable.Range(1, 10_000)) + "]}",
        };
        foreach (var body in bodies)
        {
            using var response = await server.Client.PostAsync("/api/movies/recommend", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body[..Math.Min(body.Length, 40)]}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var query in new[] { "page=0", "page=x", "pageSize=0", "pageSize=100000", "pageSize=-1", "search=" + new string('x', 300) })
        {
            using var response = await server.Client.GetAsync($"/api/movies?{query}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
        }

        foreach (var path in new[] { "/api/movies/users/bad%20name/likes", "/api/movies/users/" + new string('a', 100) + "/likes", "/api/movies/users/ann/recommendations?limit=0" })
        {
            using var response = await server.Client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
        }

        using var notAnId = await server.Client.GetAsync("/api/movies/abc", Ct);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
    }
}
