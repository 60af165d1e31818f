using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Core.Telemetry;
using Quarry.Movies.Data;
using Quarry.Movies.Model;

namespace Quarry.Movies.Api;

/// <summary>The movie catalog, likes and recommendation endpoints (S1).</summary>
public static partial class MoviesApi
{
    private const int MaxPageSize = 100;
    private const int MaxLiked = 1000;
    private const int MaxLimit = 100;

    /// <summary>Maps <c>/api/movies</c> and <c>/api/movies/users</c>.</summary>
    public static IEndpointRouteBuilder MapMoviesApi(this IEndpointRouteBuilder endpoints)
    {
        var movies = endpoints.MapGroup("/api/movies").WithTags("Movies").AddEndpointFilter(StoreDown);
        movies.MapGet("", SearchAsync).WithName("SearchMovies").WithSummary("Browse the catalog: title search, genre, pages, most liked first.");
        movies.MapGet("/genres", async (IMovieStore store, CancellationToken ct) => TypedResults.Ok(await store.GenresAsync(ct)))
            .WithName("MovieGenres").WithSummary("Every genre in the catalog.");
        movies.MapGet("/{id:int}", GetAsync).WithName("GetMovie").WithSummary("One movie.");
        movies.MapPost("/recommend", RecommendAsync).WithName("RecommendMovies")
            .WithSummary("Movies for a set of liked movie ids, each with the liked movies that contributed most.");
        var users = endpoints.MapGroup("/api/movies/users/{user}").WithTags("Movies").AddEndpointFilter(StoreDown);
        users.MapPut("/likes/{movie:int}", (string user, int movie, IMovieStore store, CancellationToken ct) => SetLikeAsync(user, movie, true, store, ct))
            .WithName("LikeMovie").WithSummary("Like a movie; stored at once and used at the next training.");
        users.MapDelete("/likes/{movie:int}", (string user, int movie, IMovieStore store, CancellationToken ct) => SetLikeAsync(user, movie, false, store, ct))
            .WithName("UnlikeMovie").WithSummary("Remove a like.");
        users.MapGet("/likes", LikesAsync).WithName("UserLikes").WithSummary("The movies a user likes, newest first.");
        users.MapGet("/recommendations", UserRecommendationsAsync).WithName("UserRecommendations").WithSummary("Recommendations from a user's likes.");
        return endpoints;
    }

    internal static async Task<Results<Ok<MoviePageView>, ProblemHttpResult>> SearchAsync(
        IMovieStore store, string? search, string? genre, string? page, string? pageSize, CancellationToken ct)
    {
        if (!TryRange(page, 1, int.MaxValue, 1, out var p) || !TryRange(pageSize, 1, MaxPageSize, 20, out var size))
        {
            return Invalid($"'page' must be a whole number from 1 and 'pageSize' from 1 to {MaxPageSize}.");
        }

        if (search is { Length: > 200 } || genre is { Length: > 100 })
        {
            return Invalid("'search' is at most 200 characters and 'genre' at most 100.");
        }

        var result = await store.SearchAsync(search, genre, p, size, ct);
        return TypedResults.Ok(new MoviePageView(result.Movies.Select(MovieView.From).ToArray(), result.Total, result.Page, result.PageSize));
    }

    internal static async Task<Results<Ok<MovieView>, ProblemHttpResult>> GetAsync(int id, IMovieStore store, CancellationToken ct) =>
        await store.GetMovieAsync(id, ct) is { } movie
            ? TypedResults.Ok(MovieView.From(movie))
            : TypedResults.Problem($"No movie has id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Movie not found");

    private static readonly Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> StoreDown =
        Unavailable.When(Training.MovieBootstrap.IsStoreFailure, "Movie store unavailable", e => $"The movie store is unavailable: {e.Message}");

    internal static async Task<Results<Ok<RecommendationsView>, ProblemHttpResult>> RecommendAsync(
        HttpRequest request, ModelSwap<MovieModel> swap, RecommendationMetrics metrics, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var loaded = swap.Current;
        if (loaded is null)
        {
            return Unavailable.ModelNotReady(request.HttpContext, "movie");
        }

        var body = await RequestBody.ReadAsync(request, ct);
        if (!TryParseRecommend(body, out var liked, out var limit, out var error))
        {
            return Invalid(error);
        }

        var recommendations = loaded.Model.Recommend(liked, limit);
        metrics.Answered("movies", recommendations.Source, started);
        return TypedResults.Ok(RecommendationsView.From(recommendations, loaded.Publication));
    }

    internal static async Task<Results<Ok, ProblemHttpResult>> SetLikeAsync(string user, int movie, bool liked, IMovieStore store, CancellationToken ct)
    {
        if (!ValidUser().IsMatch(user))
        {
            return Invalid("A user name is 1–64 letters, digits, '.', '_', '-' or '@'.");
        }

        return await store.SetLikeAsync(user, movie, liked, ct)
            ? TypedResults.Ok()
            : TypedResults.Problem($"No movie has id {movie}.", statusCode: StatusCodes.Status404NotFound, title: "Movie not found");
    }

    internal static async Task<Results<Ok<IReadOnlyList<MovieView>>, ProblemHttpResult>> LikesAsync(string user, IMovieStore store, CancellationToken ct)
    {
        if (!ValidUser().IsMatch(user))
        {
            return Invalid("A user name is 1–64 letters, digits, '.', '_', '-' or '@'.");
        }

        var ids = await store.GetLikesAsync(user, ct);
        var movies = await store.GetMoviesAsync(ids.ToArray(), ct);
        IReadOnlyList<MovieView> views = ids.Where(movies.ContainsKey).Select(id => MovieView.From(movies[id])).ToArray();
        return TypedResults.Ok(views);
    }

    internal static async Task<Results<Ok<RecommendationsView>, ProblemHttpResult>> UserRecommendationsAsync(
        HttpContext context, string user, string? limit, IMovieStore store, ModelSwap<MovieModel> swap, RecommendationMetrics metrics, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!ValidUser().IsMatch(user) || !TryRange(limit, 1, MaxLimit, 10, out var take))
        {
            return Invalid($"A user name is 1–64 letters, digits, '.', '_', '-' or '@', and 'limit' is from 1 to {MaxLimit}.");
        }

        var loaded = swap.Current;
        if (loaded is null)
        {
            return Unavailable.ModelNotReady(context, "movie");
        }

        var likes = await store.GetLikesAsync(user, ct);
        var recommendations = loaded.Model.Recommend(likes.ToArray(), take);
        metrics.Answered("movies", recommendations.Source, started);
        return TypedResults.Ok(RecommendationsView.From(recommendations, loaded.Publication));
    }

    /// <summary>Reads <c>{"liked":[ids],"limit":n}</c> whatever the content type.</summary>
    internal static bool TryParseRecommend(ReadOnlyMemory<byte> body, out int[] liked, out int limit, out string error)
    {
        liked = [];
        limit = 10;
        var (doc, problem) = JsonRequest.ParseObject(body, "{\"liked\": [movie ids], \"limit\": 10}");
        error = problem ?? "";
        if (doc is null)
        {
            return false;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("liked", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                error = "The body must be an object with 'liked': a list of movie ids.";
                return false;
            }

            if (list.GetArrayLength() > MaxLiked)
            {
                error = $"At most {MaxLiked} liked movies can be sent at once.";
                return false;
            }

            var ids = new int[list.GetArrayLength()];
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out ids[i]))
                {
                    error = $"liked[{i}] must be a whole-number movie id.";
                    return false;
                }

                i++;
            }

            if (root.TryGetProperty("limit", out var l) && (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out limit) || limit is < 1 or > MaxLimit))
            {
                error = $"'limit' must be a whole number from 1 to {MaxLimit}.";
                return false;
            }

            liked = ids;
            return true;
        }
    }

    private static bool TryRange(string? text, int min, int max, int fallback, out int value)
    {
        value = fallback;
        return text is null || (int.TryParse(text, out value) && value >= min && value <= max);
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid movie request");

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex ValidUser();
}
