namespace Quarry.Movies.Data;

/// <summary>The movie catalog and the users' preferences (imported ratings and app likes).</summary>
/// <remarks>
/// A like is stored as a preference with rating 5 and a like sequence number; it replaces an earlier rating of the
/// same movie by the same user (last write wins), and removing it removes that preference. A preference is positive
/// when its rating is at least <see cref="MovieKeys.PositiveRating"/>; each movie keeps its positive count for search order.
/// </remarks>
public interface IMovieStore : IAsyncDisposable
{
    /// <summary>The engine: <c>sqlite</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>Creates the schema if it is missing; call once before anything else.</summary>
    Task InitializeAsync(CancellationToken ct);

    /// <summary>Inserts or replaces movies by id; their positive counts are kept.</summary>
    Task UpsertMoviesAsync(IReadOnlyList<Movie> movies, CancellationToken ct);

    /// <summary>Writes ratings in one transaction; a later rating of the same (user, movie) replaces an earlier one.</summary>
    /// <exception cref="ArgumentException">A rating refers to a movie that is not in the catalog (nothing is written).</exception>
    Task AddRatingsAsync(IReadOnlyList<(int User, int Movie, float Rating, long UnixTime)> ratings, CancellationToken ct);

    Task<Movie?> GetMovieAsync(int id, CancellationToken ct);

    /// <summary>The known movies among <paramref name="ids"/>, by id; unknown ids are absent.</summary>
    Task<IReadOnlyDictionary<int, Movie>> GetMoviesAsync(IReadOnlyCollection<int> ids, CancellationToken ct);

    /// <summary>Movies whose title contains <paramref name="search"/> and that have <paramref name="genre"/> (both case-insensitive, null for any), most positive preferences first, then by title; <paramref name="page"/> is 1-based.</summary>
    Task<MoviePage> SearchAsync(string? search, string? genre, int page, int pageSize, CancellationToken ct);

    /// <summary>Every genre in the catalog, sorted.</summary>
    Task<IReadOnlyList<string>> GenresAsync(CancellationToken ct);

    /// <summary>Adds or removes a like (idempotent); false when the movie is not in the catalog.</summary>
    Task<bool> SetLikeAsync(string user, int movie, bool liked, CancellationToken ct);

    /// <summary>The user's liked movie ids, newest like first.</summary>
    Task<IReadOnlyList<int>> GetLikesAsync(string user, CancellationToken ct);

    /// <summary>Every preference (ratings, and likes as rating 5) for training, streamed.</summary>
    IAsyncEnumerable<(string User, int Movie, float Rating, long UnixTime)> ReadPreferencesAsync(CancellationToken ct);

    /// <summary>Catalog size, number of preferences and number of distinct users with a preference.</summary>
    Task<(int Movies, long Preferences, int Users)> CountsAsync(CancellationToken ct);
}
