using System.Text;
using Quarry.Movies.Data;

namespace Quarry.Movies.Import;

/// <summary>Reads the ml-100k layout: <c>u.genre</c> (name|index), <c>u.item</c> (Latin-1, pipe-separated) and <c>u.data</c> (tab-separated).</summary>
internal static class Classic100KReader
{
    // ml-100k's placeholder genre; movies with only it have no genres, as "(no genres listed)" in ml-latest.
    private const string UnknownGenre = "unknown";
    private const int FieldsBeforeFlags = 5;

    public static string[] ReadGenres(string path)
    {
        var byIndex = new SortedDictionary<int, string>();
        using var reader = new StreamReader(path, Encoding.Latin1);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var at = new MovieLensFields(path, line);
            var parts = text.Split('|');
            if (parts.Length != 2)
            {
                throw at.FieldCount(parts.Length, 2, "name|index");
            }

            if (!byIndex.TryAdd(at.Id(parts[1], "index"), parts[0].Trim()))
            {
                throw at.Invalid($"genre index {parts[1]} appears twice");
            }
        }

        if (byIndex.Count == 0 || byIndex.Keys.Last() != byIndex.Count - 1)
        {
            throw new InvalidDataException($"{path}: genre indexes must run 0..n-1 without gaps.");
        }

        return [.. byIndex.Values];
    }

    public static List<Movie> ReadMovies(Stream stream, string path, string[] genreNames)
    {
        var movies = new List<Movie>();
        using var reader = new StreamReader(stream, Encoding.Latin1, false, 1 << 16, leaveOpen: true);
        var expected = FieldsBeforeFlags + genreNames.Length;
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var at = new MovieLensFields(path, line);
            var parts = text.Split('|');
            if (parts.Length != expected)
            {
                throw at.FieldCount(parts.Length, expected, $"id|title|release date|video date|url|{genreNames.Length} genre flags");
            }

            var (title, year) = MovieLensTitle.Parse(parts[1]);
            year ??= ReleaseYear(parts[2]);
            var genres = new List<string>(3);
            for (var g = 0; g < genreNames.Length; g++)
            {
                var flag = parts[FieldsBeforeFlags + g].Trim();
                if (flag is not ("0" or "1"))
                {
                    throw at.Invalid($"genre flag {g} ({genreNames[g]}) is '{flag}', expected 0 or 1");
                }

                if (flag == "1" && !genreNames[g].Equals(UnknownGenre, StringComparison.OrdinalIgnoreCase))
                {
                    genres.Add(genreNames[g]);
                }
            }

            movies.Add(new Movie(at.Id(parts[0], "movie id"), title, year, genres));
        }

        return movies;
    }

    public static IEnumerable<(int User, int Movie, float Rating, long UnixTime)> ReadRatings(
        Stream stream, string path, IReadOnlySet<int> movies, string catalogFile)
    {
        using var reader = new StreamReader(stream, Encoding.Latin1, false, 1 << 16, leaveOpen: true);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var at = new MovieLensFields(path, line);
            yield return Parse(text, at, movies, catalogFile);
        }
    }

    private static (int, int, float, long) Parse(ReadOnlySpan<char> text, MovieLensFields at, IReadOnlySet<int> movies, string catalogFile)
    {
        Span<Range> parts = stackalloc Range[5];
        var count = text.Split(parts, '\t');
        if (count != 4)
        {
            throw at.FieldCount(count, 4, "user id, item id, rating, timestamp separated by tabs");
        }

        var movie = at.Id(text[parts[1]], "item id");
        if (!movies.Contains(movie))
        {
            throw at.UnknownMovie(movie, catalogFile);
        }

        return (at.Id(text[parts[0]], "user id"), movie, at.Rating(text[parts[2]]), at.Timestamp(text[parts[3]]));
    }

    // Release dates look like "01-Jan-1995".
    private static int? ReleaseYear(string date)
    {
        var trimmed = date.Trim();
        return trimmed.Length >= 4 && int.TryParse(trimmed.AsSpan(trimmed.Length - 4), out var year) ? year : null;
    }
}
