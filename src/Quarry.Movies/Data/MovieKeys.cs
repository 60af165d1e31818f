using System.Globalization;
using System.Text;

namespace Quarry.Movies.Data;

/// <summary>Rules both engines share: how titles and genres are matched, what counts as positive, how pages clamp.</summary>
public static class MovieKeys
{
    /// <summary>Ratings at or above this are positive preferences (a like is stored as 5).</summary>
    public const float PositiveRating = 4.0f;

    /// <summary>The rating a like is stored as.</summary>
    public const float LikeRating = 5.0f;

    /// <summary>Largest page a search returns.</summary>
    public const int MaxPageSize = 100;

    /// <summary>The case-folded form titles and genres are matched on (the same on every engine).</summary>
    public static string Fold(string text) => text.ToLowerInvariant();

    /// <summary>A LIKE pattern (escape character <c>\</c>) matching folded text that contains <paramref name="search"/>.</summary>
    public static string ContainsPattern(string search)
    {
        var folded = Fold(search);
        var pattern = new StringBuilder(folded.Length + 8).Append('%');
        foreach (var c in folded)
        {
            if (c is '%' or '_' or '\\')
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.Append('%').ToString();
    }

    internal static string UserKey(int user) => user.ToString(CultureInfo.InvariantCulture);

    internal static (int Page, int PageSize, long Offset) ClampPage(int page, int pageSize)
    {
        page = Math.Max(page, 1);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        return (page, pageSize, (long)(page - 1) * pageSize);
    }

    internal static void Validate(Movie movie)
    {
        ArgumentNullException.ThrowIfNull(movie);
        ArgumentNullException.ThrowIfNull(movie.Title);
        ArgumentNullException.ThrowIfNull(movie.Genres);
        foreach (var genre in movie.Genres)
        {
            if (string.IsNullOrWhiteSpace(genre) || genre.Contains('|'))
            {
                throw new ArgumentException($"Movie {movie.Id} has the genre '{genre}'; a genre must be non-blank and without '|'.", nameof(movie));
            }
        }
    }

    /// <summary>The movie's genres without case-insensitive duplicates, in their given order.</summary>
    internal static List<string> DistinctGenres(Movie movie)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(movie.Genres.Count);
        foreach (var genre in movie.Genres)
        {
            if (seen.Add(Fold(genre)))
            {
                result.Add(genre);
            }
        }

        return result;
    }

    internal static string JoinGenres(IEnumerable<string> genres) => string.Join('|', genres);

    internal static IReadOnlyList<string> SplitGenres(string joined) =>
        joined.Length == 0 ? [] : joined.Split('|');

    internal static long NowUnixSeconds(TimeProvider time) => time.GetUtcNow().ToUnixTimeSeconds();
}
