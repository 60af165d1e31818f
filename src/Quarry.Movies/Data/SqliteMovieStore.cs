using Microsoft.Data.Sqlite;
using Quarry.Core.Data;
using static Quarry.Core.Data.SqliteCommands;

namespace Quarry.Movies.Data;

/// <summary>The movie store in one SQLite file (WAL): one writer connection behind a lock, pooled reader connections.</summary>
internal sealed partial class SqliteMovieStore : IMovieStore
{
    private const int SqliteConstraintForeignKey = 787;

    private readonly string _readerConnectionString;
    private readonly string _writerConnectionString;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private bool _disposed;

    /// <summary>Uses (and creates if missing) the database file at <paramref name="databasePath"/>.</summary>
    public SqliteMovieStore(string databasePath, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _time = time ?? TimeProvider.System;
        _writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = true,
        }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
        }.ToString();
    }

    public string Name => "sqlite";

    /// <summary>The database file's full path.</summary>
    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                return;
            }

            var directory = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var writer = new SqliteConnection(_writerConnectionString);
            try
            {
                await writer.OpenAsync(ct);
                // WAL lets searches read while an import writes; NORMAL syncs at checkpoints, not at every commit.
                Execute(writer, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY");
                Execute(writer, SqliteMovieSchema.Create);
            }
            catch
            {
                await writer.DisposeAsync();
                throw;
            }

            _writer = writer;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task UpsertMoviesAsync(IReadOnlyList<Movie> movies, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(movies);
        foreach (var movie in movies)
        {
            MovieKeys.Validate(movie);
        }

        return WriteAsync(writer =>
        {
            using var upsert = Prepare(writer, SqliteMovieSchema.UpsertMovie, "$id", "$title", "$key", "$year", "$genres");
            using var clearGenres = Prepare(writer, "DELETE FROM movie_genres WHERE movie_id = $id", "$id");
            using var addGenre = Prepare(writer, "INSERT INTO movie_genres (genre_key, movie_id, genre) VALUES ($key, $id, $genre)", "$key", "$id", "$genre");
            foreach (var movie in movies)
            {
                var genres = MovieKeys.DistinctGenres(movie);
                upsert.BindAll(movie.Id, movie.Title, MovieKeys.Fold(movie.Title), movie.Year, MovieKeys.JoinGenres(genres));
                upsert.ExecuteNonQuery();
                clearGenres.BindAll(movie.Id);
                clearGenres.ExecuteNonQuery();
                foreach (var genre in genres)
                {
                    addGenre.BindAll(MovieKeys.Fold(genre), movie.Id, genre);
                    addGenre.ExecuteNonQuery();
                }
            }

            return true;
        }, ct);
    }

    public async Task AddRatingsAsync(IReadOnlyList<(int User, int Movie, float Rating, long UnixTime)> ratings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        try
        {
            await WriteAsync(writer =>
            {
                using var preferences = new SqlitePreferenceWriter(writer);
                preferences.WriteRatings(ratings, ct);
                preferences.Flush();
                return true;
            }, ct);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintForeignKey)
        {
            throw new ArgumentException("A rating refers to a movie that is not in the catalog; nothing was written.", nameof(ratings), e);
        }
    }

    public Task<bool> SetLikeAsync(string user, int movie, bool liked, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        return WriteAsync(writer =>
        {
            using (var exists = Prepare(writer, "SELECT 1 FROM movies WHERE id = $id", "$id"))
            {
                exists.BindAll(movie);
                if (exists.ExecuteScalar() is null)
                {
                    return false;
                }
            }

            using var preferences = new SqlitePreferenceWriter(writer);
            var old = preferences.Read(user, movie);
            if (liked && old?.LikedSeq is null)
            {
                long next;
                using (var sequence = Prepare(writer, SqliteMovieSchema.NextLikeSeq, "$user"))
                {
                    sequence.BindAll(user);
                    next = (long)sequence.ExecuteScalar()!;
                }

                preferences.Write(user, movie, MovieKeys.LikeRating, MovieKeys.NowUnixSeconds(_time), next);
            }
            else if (!liked && old is { LikedSeq: not null } like)
            {
                preferences.Delete(user, movie, like.Rating);
            }

            preferences.Flush();
            return true;
        }, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }

            // Idle pooled readers would keep the file open after the store is gone.
            using var reader = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(reader);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // Runs one write transaction on the writer connection; SQLite allows one writer, so writes queue on the lock.
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writer = _writer ?? throw NotInitialized();
            using var transaction = writer.BeginTransaction(deferred: false);
            var result = work(writer);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static InvalidOperationException NotInitialized() =>
        new($"The movie store is not initialized; call {nameof(InitializeAsync)} first.");

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
