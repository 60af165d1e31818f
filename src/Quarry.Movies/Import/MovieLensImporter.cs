using Quarry.Movies.Data;

namespace Quarry.Movies.Import;

/// <summary>Imports a MovieLens data set (ml-latest-small or ml-100k layout) into an <see cref="IMovieStore"/>.</summary>
public static class MovieLensImporter
{
    /// <summary>Ratings written per store call (and per transaction).</summary>
    public const int RatingBatchSize = 50_000;

    private const int MovieBatchSize = 5_000;
    private const int StreamBufferSize = 1 << 16;

    /// <summary>Detects the layout at <paramref name="pathOrDir"/> (a directory, one of its files, or a .zip extracted next to it), then stores its movies and streams its ratings in batches.</summary>
    /// <exception cref="FileNotFoundException">The path, or a file the layout needs, is missing; the message names it and the accepted layouts.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and line.</exception>
    public static async Task<MovieLensImportResult> ImportAsync(
        string pathOrDir, IMovieStore store, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var source = MovieLensSource.Locate(pathOrDir);
        var (moviesFile, ratingsFile) = source.Layout == MovieLensLayout.Latest
            ? (source.File("movies.csv"), source.File("ratings.csv"))
            : (source.File("u.item"), source.File("u.data"));

        List<Movie> movies;
        await using (var stream = OpenRead(moviesFile))
        {
            movies = source.Layout == MovieLensLayout.Latest
                ? LatestLayoutReader.ReadMovies(stream, moviesFile)
                : Classic100KReader.ReadMovies(stream, moviesFile, Classic100KReader.ReadGenres(source.File("u.genre")));
            for (var i = 0; i < movies.Count; i += MovieBatchSize)
            {
                await store.UpsertMoviesAsync(movies.GetRange(i, Math.Min(MovieBatchSize, movies.Count - i)), ct);
            }

            progress?.Report(new ImportProgress(moviesFile, stream.Length, stream.Length, movies.Select(m => m.Id).Distinct().Count(), 0));
        }

        var known = movies.Select(m => m.Id).ToHashSet();
        var catalogName = Path.GetFileName(moviesFile);
        long stored = 0;
        await using (var stream = OpenRead(ratingsFile))
        {
            var rows = source.Layout == MovieLensLayout.Latest
                ? LatestLayoutReader.ReadRatings(stream, ratingsFile, known, catalogName)
                : Classic100KReader.ReadRatings(stream, ratingsFile, known, catalogName);
            var batch = new List<(int User, int Movie, float Rating, long UnixTime)>(RatingBatchSize);
            foreach (var row in rows)
            {
                batch.Add(row);
                if (batch.Count == RatingBatchSize)
                {
                    stored += await FlushAsync(batch, store, ct);
                    progress?.Report(new ImportProgress(ratingsFile, Math.Min(stream.Position, stream.Length), stream.Length, known.Count, stored));
                }
            }

            stored += await FlushAsync(batch, store, ct);
            progress?.Report(new ImportProgress(ratingsFile, stream.Length, stream.Length, known.Count, stored));
        }

        return new MovieLensImportResult(source.Layout, source.Directory, known.Count, stored);
    }

    private static async Task<int> FlushAsync(
        List<(int User, int Movie, float Rating, long UnixTime)> batch, IMovieStore store, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        await store.AddRatingsAsync(batch, ct);
        var count = batch.Count;
        batch.Clear();
        return count;
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, StreamBufferSize, FileOptions.SequentialScan);
}
