using Microsoft.Data.Sqlite;
using Quarry.Core.Data;

namespace Quarry.Movies.Data;

/// <summary>
/// Writes preferences inside one SQLite transaction and keeps the movies' positive counts: changes are summed per
/// movie in memory and applied once at <see cref="Flush"/>, which is several times faster than a trigger per row.
/// </summary>
internal sealed class SqlitePreferenceWriter : IDisposable
{
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _read;
    private readonly SqliteCommand _update;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _addPositives;
    private readonly Dictionary<int, int> _positiveDeltas = [];
    private string _userKey = "";
    private int _userKeyOf = int.MinValue;

    public SqlitePreferenceWriter(SqliteConnection writer)
    {
        _insert = SqliteCommands.Prepare(writer, SqliteMovieSchema.InsertPreference, "$user", "$movie", "$rating", "$ts", "$seq");
        _read = SqliteCommands.Prepare(writer, SqliteMovieSchema.ReadPreference, "$user", "$movie");
        _update = SqliteCommands.Prepare(writer, SqliteMovieSchema.UpdatePreference, "$user", "$movie", "$rating", "$ts", "$seq");
        _delete = SqliteCommands.Prepare(writer, SqliteMovieSchema.DeletePreference, "$user", "$movie");
        _addPositives = SqliteCommands.Prepare(writer, SqliteMovieSchema.AddPositives, "$id", "$delta");
    }

    /// <summary>The stored preference of the user for the movie, if any.</summary>
    public (float Rating, long? LikedSeq)? Read(string user, int movie)
    {
        _read.Parameters[0].Value = user;
        _read.Parameters[1].Value = movie;
        using var row = _read.ExecuteReader();
        return row.Read() ? (row.GetFloat(0), row.IsDBNull(1) ? null : row.GetInt64(1)) : null;
    }

    /// <summary>Stores imported ratings (not likes), later ones replacing earlier ones of the same user and movie.</summary>
    public void WriteRatings(IReadOnlyList<(int User, int Movie, float Rating, long UnixTime)> ratings, CancellationToken ct)
    {
        for (var i = 0; i < ratings.Count; i++)
        {
            if ((i & 4095) == 4095)
            {
                ct.ThrowIfCancellationRequested();
            }

            var (user, movie, rating, time) = ratings[i];
            Write(UserKey(user), movie, rating, time, likedSeq: null);
        }
    }

    /// <summary>Stores the preference, replacing an earlier one of the same user and movie.</summary>
    public void Write(string user, int movie, float rating, long unixTime, long? likedSeq)
    {
        Bind(_insert, user, movie, rating, unixTime, likedSeq);
        if (_insert.ExecuteNonQuery() == 1)
        {
            Count(movie, rating, +1);
            return;
        }

        // Only a repeated (user, movie) pays for the lookup; a fresh import never does.
        var old = Read(user, movie)!.Value;
        Bind(_update, user, movie, rating, unixTime, likedSeq);
        _update.ExecuteNonQuery();
        Count(movie, old.Rating, -1);
        Count(movie, rating, +1);
    }

    public void Delete(string user, int movie, float oldRating)
    {
        _delete.Parameters[0].Value = user;
        _delete.Parameters[1].Value = movie;
        if (_delete.ExecuteNonQuery() == 1)
        {
            Count(movie, oldRating, -1);
        }
    }

    /// <summary>Applies the summed positive-count changes; call before the transaction commits.</summary>
    public void Flush()
    {
        foreach (var (movie, delta) in _positiveDeltas)
        {
            if (delta != 0)
            {
                _addPositives.Parameters[0].Value = movie;
                _addPositives.Parameters[1].Value = delta;
                _addPositives.ExecuteNonQuery();
            }
        }

        _positiveDeltas.Clear();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _read.Dispose();
        _update.Dispose();
        _delete.Dispose();
        _addPositives.Dispose();
    }

    // Ratings arrive grouped by user, so one key string serves a whole run.
    private string UserKey(int user)
    {
        if (user != _userKeyOf)
        {
            _userKeyOf = user;
            _userKey = MovieKeys.UserKey(user);
        }

        return _userKey;
    }

    private void Count(int movie, float rating, int sign)
    {
        if (rating >= MovieKeys.PositiveRating)
        {
            _positiveDeltas[movie] = _positiveDeltas.GetValueOrDefault(movie) + sign;
        }
    }

    private static void Bind(SqliteCommand command, string user, int movie, float rating, long unixTime, long? likedSeq)
    {
        var parameters = command.Parameters;
        parameters[0].Value = user;
        parameters[1].Value = movie;
        parameters[2].Value = (double)rating;
        parameters[3].Value = unixTime;
        parameters[4].Value = likedSeq.HasValue ? likedSeq.Value : DBNull.Value;
    }
}
