using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Quarry.Movies.Data;

internal sealed partial class SqliteMovieStore
{
    public async Task<Movie?> GetMovieAsync(int id, CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct);
        await using var command = Command(connection, $"SELECT {SqliteMovieSchema.MovieColumns} FROM movies WHERE id = $id", ("$id", id));
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

        // One JSON array parameter instead of one parameter per id, which SQLite caps.
        var json = new StringBuilder(ids.Count * 6).Append('[').AppendJoin(',', ids).Append(']').ToString();
        await using var connection = await OpenReaderAsync(ct);
        await using var command = Command(connection,
            $"SELECT {SqliteMovieSchema.MovieColumns} FROM movies WHERE id IN (SELECT value FROM json_each($ids))", ("$ids", json));
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
        var parameters = new List<(string, object)>(4);
        if (!string.IsNullOrEmpty(search))
        {
            filters.Add("""title_key LIKE $pattern ESCAPE '\'""");
            parameters.Add(("$pattern", MovieKeys.ContainsPattern(search)));
        }

        if (!string.IsNullOrEmpty(genre))
        {
            filters.Add("id IN (SELECT movie_id FROM movie_genres WHERE genre_key = $genre)");
            parameters.Add(("$genre", MovieKeys.Fold(genre)));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        await using var connection = await OpenReaderAsync(ct);
        // One read transaction, so the total and the page come from the same snapshot.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        int total;
        await using (var count = Command(connection, $"SELECT count(*) FROM movies {where}", [.. parameters]))
        {
            total = Convert.ToInt32(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        parameters.Add(("$limit", size));
        parameters.Add(("$offset", offset));
        var movies = new List<Movie>(size);
        await using (var select = Command(connection,
            $"SELECT {SqliteMovieSchema.MovieColumns} FROM movies {where} ORDER BY positives DESC, title, id LIMIT $limit OFFSET $offset",
            [.. parameters]))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                movies.Add(ReadMovie(reader));
            }
        }

        return new MoviePage(movies, total, pageNumber, size);
    }

    public async Task<IReadOnlyList<string>> GenresAsync(CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct);
        await using var command = Command(connection, "SELECT min(genre) FROM movie_genres GROUP BY genre_key ORDER BY genre_key");
        return await ReadAllAsync(command, r => r.GetString(0), ct);
    }

    public async Task<IReadOnlyList<int>> GetLikesAsync(string user, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        await using var connection = await OpenReaderAsync(ct);
        await using var command = Command(connection,
            "SELECT movie_id FROM movie_preferences WHERE user_id = $user AND liked_seq IS NOT NULL ORDER BY liked_seq DESC, movie_id DESC",
            ("$user", user));
        return await ReadAllAsync(command, r => r.GetInt32(0), ct);
    }

    public async IAsyncEnumerable<(string User, int Movie, float Rating, long UnixTime)> ReadPreferencesAsync(
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct);
        await using var command = Command(connection, "SELECT user_id, movie_id, rating, ts FROM movie_preferences");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return (reader.GetString(0), reader.GetInt32(1), reader.GetFloat(2), reader.GetInt64(3));
        }
    }

    public async Task<(int Movies, long Preferences, int Users)> CountsAsync(CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct);
        await using var command = Command(connection,
            """
            SELECT (SELECT count(*) FROM movies),
                   (SELECT count(*) FROM movie_preferences),
                   (SELECT count(*) FROM (SELECT DISTINCT user_id FROM movie_preferences))
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.GetInt64(1), reader.GetInt32(2));
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            throw NotInitialized();
        }

        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken ct)
    {
        var items = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(read(reader));
        }

        return items;
    }

    private static Movie ReadMovie(SqliteDataReader reader) => new(
        reader.GetInt32(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetInt32(2),
        MovieKeys.SplitGenres(reader.GetString(3)));
}
