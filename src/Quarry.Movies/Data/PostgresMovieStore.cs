using Npgsql;
using NpgsqlTypes;

namespace Quarry.Movies.Data;

/// <summary>The movie store in PostgreSQL: set-based statements, binary COPY for bulk ratings.</summary>
internal sealed partial class PostgresMovieStore : IMovieStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    /// <summary>Uses the database named by <paramref name="connectionString"/>; tables go in its default schema.</summary>
    public PostgresMovieStore(string connectionString, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _time = time ?? TimeProvider.System;
    }

    public string Name => "postgres";

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, PostgresMovieSchema.Create, ct);
        await transaction.CommitAsync(ct);
    }

    public async Task UpsertMoviesAsync(IReadOnlyList<Movie> movies, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(movies);
        // One statement may not touch a row twice, so the last of repeated ids wins here.
        var byId = new Dictionary<int, Movie>(movies.Count);
        foreach (var movie in movies)
        {
            MovieKeys.Validate(movie);
            byId[movie.Id] = movie;
        }

        if (byId.Count == 0)
        {
            return;
        }

        var unique = byId.Values.ToArray();
        var genreKeys = new List<string>();
        var genreMovies = new List<int>();
        var genreNames = new List<string>();
        var joined = new string[unique.Length];
        for (var i = 0; i < unique.Length; i++)
        {
            var genres = MovieKeys.DistinctGenres(unique[i]);
            joined[i] = MovieKeys.JoinGenres(genres);
            foreach (var genre in genres)
            {
                genreKeys.Add(MovieKeys.Fold(genre));
                genreMovies.Add(unique[i].Id);
                genreNames.Add(genre);
            }
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand(PostgresMovieSchema.UpsertMovies, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int[]>("ids", unique.Select(m => m.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("titles", unique.Select(m => m.Title).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", unique.Select(m => MovieKeys.Fold(m.Title)).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int?[]>("years", unique.Select(m => m.Year).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("genres", joined));
        command.Parameters.Add(new NpgsqlParameter<string[]>("genreKeys", genreKeys.ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("genreMovies", genreMovies.ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("genreNames", genreNames.ToArray()));
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    public async Task AddRatingsAsync(IReadOnlyList<(int User, int Movie, float Rating, long UnixTime)> ratings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (ratings.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, PostgresMovieSchema.PreferenceLock, ct);
        await ExecuteAsync(connection, PostgresMovieSchema.StageRatings, ct);
        await using (var importer = await connection.BeginBinaryImportAsync(PostgresMovieSchema.CopyRatings, ct))
        {
            var lastUser = int.MinValue;
            var userKey = "";
            for (var i = 0; i < ratings.Count; i++)
            {
                var (user, movie, rating, time) = ratings[i];
                if (user != lastUser)
                {
                    lastUser = user;
                    userKey = MovieKeys.UserKey(user);
                }

                await importer.StartRowAsync(ct);
                await importer.WriteAsync(i, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(userKey, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(movie, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(rating, NpgsqlDbType.Real, ct);
                await importer.WriteAsync(time, NpgsqlDbType.Bigint, ct);
            }

            await importer.CompleteAsync(ct);
        }

        try
        {
            await ExecuteAsync(connection, PostgresMovieSchema.MergeRatings, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ArgumentException($"A rating refers to a movie that is not in the catalog ({e.Detail}); nothing was written.", nameof(ratings), e);
        }

        await transaction.CommitAsync(ct);
    }

    public async Task<bool> SetLikeAsync(string user, int movie, bool liked, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, PostgresMovieSchema.PreferenceLock, ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM movies WHERE id = @id", connection, transaction))
        {
            exists.Parameters.Add(new NpgsqlParameter<int>("id", movie));
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                return false;
            }
        }

        await using var command = new NpgsqlCommand(liked ? PostgresMovieSchema.Like : PostgresMovieSchema.Unlike, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("user", user));
        command.Parameters.Add(new NpgsqlParameter<int>("movie", movie));
        if (liked)
        {
            command.Parameters.Add(new NpgsqlParameter<long>("ts", MovieKeys.NowUnixSeconds(_time)));
        }

        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
