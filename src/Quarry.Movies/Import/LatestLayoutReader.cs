using Quarry.Core.Datasets;
using Quarry.Movies.Data;

namespace Quarry.Movies.Import;

/// <summary>Reads the ml-latest layout: <c>movies.csv</c> (movieId,title,genres) and <c>ratings.csv</c> (userId,movieId,rating,timestamp).</summary>
internal static class LatestLayoutReader
{
    private const string NoGenres = "(no genres listed)";

    public static List<Movie> ReadMovies(Stream stream, string path)
    {
        var movies = new List<Movie>();
        var fields = new List<string>(3);
        using var csv = new CsvReader(stream, leaveOpen: true);
        while (ReadRow(csv, fields, path))
        {
            var at = new MovieLensFields(path, csv.Line);
            if (csv.Line == 1 && IsHeader(fields, "movieId"))
            {
                continue;
            }

            if (fields.Count != 3)
            {
                throw at.FieldCount(fields.Count, 3, "movieId,title,genres");
            }

            var (title, year) = MovieLensTitle.Parse(fields[1]);
            if (title.Length == 0)
            {
                throw at.Invalid("the title is empty");
            }

            IReadOnlyList<string> genres = fields[2].Trim() is "" or NoGenres
                ? []
                : fields[2].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            movies.Add(new Movie(at.Id(fields[0], "movieId"), title, year, genres));
        }

        return movies;
    }

    public static IEnumerable<(int User, int Movie, float Rating, long UnixTime)> ReadRatings(
        Stream stream, string path, IReadOnlySet<int> movies, string catalogFile)
    {
        var fields = new List<string>(4);
        using var csv = new CsvReader(stream, leaveOpen: true);
        while (ReadRow(csv, fields, path))
        {
            var at = new MovieLensFields(path, csv.Line);
            if (csv.Line == 1 && IsHeader(fields, "userId"))
            {
                continue;
            }

            if (fields.Count != 4)
            {
                throw at.FieldCount(fields.Count, 4, "userId,movieId,rating,timestamp");
            }

            var movie = at.Id(fields[1], "movieId");
            if (!movies.Contains(movie))
            {
                throw at.UnknownMovie(movie, catalogFile);
            }

            yield return (at.Id(fields[0], "userId"), movie, at.Rating(fields[2]), at.Timestamp(fields[3]));
        }
    }

    private static bool IsHeader(List<string> fields, string first) =>
        fields.Count > 0 && fields[0].Trim().Equals(first, StringComparison.OrdinalIgnoreCase);

    // CsvReader's messages name the line but not the file.
    private static bool ReadRow(CsvReader csv, List<string> fields, string path)
    {
        try
        {
            return csv.TryReadRow(fields);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
