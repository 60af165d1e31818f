using System.Runtime.CompilerServices;
using Npgsql;

namespace Quarry.Movies.Data;

internal sealed partial class PostgresMovieStore
{
    public async Task<Movie?> GetMovieAsync(int id, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {PostgresMovieSchema.MovieColumns} FROM movies WHERE id = @id");
        command.Parameters.Add(new NpgsqlParameter<int>("id", id));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMovie(reader) : null;
    }

    public async Task<IReadOnlyDictionary<int, Movie>> GetMoviesAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var movies = new Dictionary<int, Movie>(ids.Count);
        if (ids.Count == 0)
        {
            return movies;
        }

        await using var command = _dataSource.CreateCommand($"SELECT {PostgresMovieSchema.MovieColumns} FROM movies WHERE id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter<int[]>("ids", ids.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var movie = ReadMovie(reader);
            movies[movie.Id] = movie;
        }

        return movies;
    }

    public async Task<MoviePage> SearchAsync(string? search, string? genre, int page, int pageSize, CancellationToken ct)
    {
        var (pageNumber, size, offset) = MovieKeys.ClampPage(page, pageSize);
        var filters = new List<string>(2);
        var parameters = new List<NpgsqlParameter>(4);
        if (!string.IsNullOrEmpty(search))
        {
            filters.Add("""title_key LIKE @pattern ESCAPE '\'""");
            parameters.Add(new NpgsqlParameter<string>("pattern", MovieKeys.ContainsPattern(search)));
        }

        if (!string.IsNullOrEmpty(genre))
        {
            filters.Add("id IN (SELECT movie_id FROM movie_genres WHERE genre_key = @genre)");
            parameters.Add(new NpgsqlParameter<string>("genre", MovieKeys.Fold(genre)));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        // The window count gives the total in the same snapshot; a page past the end falls back to a plain count.
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {PostgresMovieSchema.MovieColumns}, count(*) OVER () FROM movies {where}
            ORDER BY positives DESC, title COLLATE "C", id LIMIT @limit OFFSET @offset
            """, connection);
        command.Parameters.AddRange(parameters.ToArray());
        command.Parameters.Add(new NpgsqlParameter<int>("limit", size));
        command.Parameters.Add(new NpgsqlParameter<long>("offset", offset));
        var movies = new List<Movie>(size);
        long total = -1;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                movies.Add(ReadMovie(reader));
                total = reader.GetInt64(4);
            }
        }

        if (total < 0)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM movies {where}", connection);
            count.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }

        return new MoviePage(movies, (int)total, pageNumber, size);
    }

    public async Task<IReadOnlyList<string>> GenresAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            """SELECT min(genre) FROM movie_genres GROUP BY genre_key ORDER BY genre_key COLLATE "C" """);
        var genres = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            genres.Add(reader.GetString(0));
        }

        return genres;
    }

    public async Task<IReadOnlyList<int>> GetLikesAsync(string user, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        await using var command = _dataSource.CreateCommand(
            "SELECT movie_id FROM movie_preferences WHERE user_id = @user AND liked_seq IS NOT NULL ORDER BY liked_seq DESC, movie_id DESC");
        command.Parameters.Add(new NpgsqlParameter<string>("user", user));
        var likes = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            likes.Add(reader.GetInt32(0));
        }

        return likes;
    }

    public async IAsyncEnumerable<(string User, int Movie, float Rating, long UnixTime)> ReadPreferencesAsync(
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var reader = await connection.BeginBinaryExportAsync(
            "COPY movie_preferences (user_id, movie_id, rating, ts) TO STDOUT (FORMAT BINARY)", ct);
        while (await reader.StartRowAsync(ct) >= 0)
        {
            var user = await reader.ReadAsync<string>(ct);
            var movie = await reader.ReadAsync<int>(ct);
            var rating = await reader.ReadAsync<float>(ct);
            var time = await reader.ReadAsync<long>(ct);
            yield return (user, movie, rating, time);
        }
    }

    public async Task<(int Movies, long Preferences, int Users)> CountsAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM movies),
                   (SELECT count(*) FROM movie_preferences),
                   (SELECT count(DISTINCT user_id) FROM movie_preferences)
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ((int)reader.GetInt64(0), reader.GetInt64(1), (int)reader.GetInt64(2));
    }

    private static Movie ReadMovie(NpgsqlDataReader reader) => new(
        reader.GetInt32(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetInt32(2),
        reader.GetFieldValue<string[]>(3));
}
