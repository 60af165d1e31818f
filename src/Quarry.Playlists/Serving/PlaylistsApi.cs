using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Core.Telemetry;
using Quarry.Playlists.Model;

namespace Quarry.Playlists.Serving;

/// <summary>
/// The capability's own routes under <c>/api/playlists</c> (<c>GET /api/playlists/songs</c>) and the recommendation
/// itself, which the original's route in <see cref="PlaylistsCompatibilityRoutes"/> answers.
/// </summary>
public static class PlaylistsApi
{
    private const int MaxSearchLimit = 200;

    /// <summary>Maps <c>GET /api/playlists/songs</c>.</summary>
    public static IEndpointRouteBuilder MapPlaylistsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/playlists").WithTags("Playlists").MapGet("/songs", Songs)
            .WithName("ListSongs")
            .WithSummary("Songs the current model knows, most popular first, optionally filtered by a search text.");
        return endpoints;
    }

    internal static async Task<Results<JsonBody<RecommendResponse>, ProblemHttpResult>> RecommendAsync(
        HttpRequest request, ModelSwap<RuleModel> swap, RecommendationMetrics metrics, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var loaded = swap.Current;
        if (loaded is null)
        {
            return Unavailable.ModelNotReady(request.HttpContext, "playlist");
        }

        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var parsed = RecommendRequest.Parse(body.Span, out var error);
        if (error is not null)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid recommendation request");
        }

        var result = loaded.Model.Recommend(parsed.Songs, parsed.Limit);
        metrics.Answered("playlists", result.Source, started);
        return new JsonBody<RecommendResponse>(
            new RecommendResponse(result.Songs, loaded.Publication.Version, ModelDate(loaded.Publication), result.Source, result.Unknown),
            PlaylistJsonContext.Default.RecommendResponse);
    }

    // The model date of the last publication answered; formatting it is a visible share of a recommendation's time.
    // Held in one object so that a reader never sees one publication's date paired with another.
    private static FormattedDate? s_modelDate;

    private static string ModelDate(Publication publication)
    {
        var cached = s_modelDate;
        if (cached is not null && ReferenceEquals(cached.Publication, publication))
        {
            return cached.ModelDate;
        }

        cached = new FormattedDate(publication, publication.ModelDate);
        s_modelDate = cached;
        return cached.ModelDate;
    }

    private sealed record FormattedDate(Publication Publication, string ModelDate);

    internal static Results<Ok<SongsResponse>, ProblemHttpResult> Songs(HttpContext context, ModelSwap<RuleModel> swap, string? search, string? limit)
    {
        var loaded = swap.Current;
        if (loaded is null)
        {
            return Unavailable.ModelNotReady(context, "playlist");
        }

        var take = 20;
        if (limit is not null && (!int.TryParse(limit, out take) || take < 1 || take > MaxSearchLimit))
        {
            return TypedResults.Problem($"'limit' must be a whole number from 1 to {MaxSearchLimit}.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid song search");
        }

        if (search is { Length: > RecommendRequest.MaxSongLength })
        {
            return TypedResults.Problem($"'search' is longer than {RecommendRequest.MaxSongLength} characters.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid song search");
        }

        var songs = loaded.Model.SearchSongs(search, take).Select(s => new SongEntry(s.Song, s.Playlists)).ToArray();
        return TypedResults.Ok(new SongsResponse(songs, loaded.Model.Songs.Count, loaded.Publication.Version, loaded.Publication.ModelDate));
    }

    /// <summary>Response of <c>POST /api/recommend</c>.</summary>
    public sealed record RecommendResponse(
        IReadOnlyList<string> Songs,
        string Version,
        [property: JsonPropertyName("model_date")] string ModelDate,
        string Source,
        IReadOnlyList<string> Unknown);

    /// <summary>One song and the number of playlists holding it.</summary>
    public sealed record SongEntry(string Song, int Playlists);

    /// <summary>Response of <c>GET /api/playlists/songs</c>.</summary>
    public sealed record SongsResponse(
        IReadOnlyList<SongEntry> Songs,
        int Total,
        string Version,
        [property: JsonPropertyName("model_date")] string ModelDate);
}
