namespace Quarry.Movies.Data;

/// <summary>The SQLite tables and indexes, and the statements the preference writer prepares.</summary>
internal static class SqliteMovieSchema
{
    public const string Create =
        """
        CREATE TABLE IF NOT EXISTS movies (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            year INTEGER,
            genres TEXT NOT NULL,
            positives INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS movies_popularity ON movies (positives DESC, title, id);
        CREATE TABLE IF NOT EXISTS movie_genres (
            genre_key TEXT NOT NULL,
            movie_id INTEGER NOT NULL REFERENCES movies (id),
            genre TEXT NOT NULL,
            PRIMARY KEY (genre_key, movie_id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS movie_genres_movie ON movie_genres (movie_id);
        CREATE TABLE IF NOT EXISTS movie_preferences (
            user_id TEXT NOT NULL,
            movie_id INTEGER NOT NULL REFERENCES movies (id),
            rating REAL NOT NULL,
            ts INTEGER NOT NULL,
            liked_seq INTEGER,
            PRIMARY KEY (user_id, movie_id)) WITHOUT ROWID;
        """;

    public const string UpsertMovie =
        """
        INSERT INTO movies (id, title, title_key, year, genres) VALUES ($id, $title, $key, $year, $genres)
        ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key, year = excluded.year, genres = excluded.genres
        """;

    public const string InsertPreference =
        """
        INSERT INTO movie_preferences (user_id, movie_id, rating, ts, liked_seq) VALUES ($user, $movie, $rating, $ts, $seq)
        ON CONFLICT (user_id, movie_id) DO NOTHING
        """;

    public const string ReadPreference = "SELECT rating, liked_seq FROM movie_preferences WHERE user_id = $user AND movie_id = $movie";

    public const string UpdatePreference =
        "UPDATE movie_preferences SET rating = $rating, ts = $ts, liked_seq = $seq WHERE user_id = $user AND movie_id = $movie";

    public const string DeletePreference = "DELETE FROM movie_preferences WHERE user_id = $user AND movie_id = $movie";

    public const string NextLikeSeq = "SELECT coalesce(max(liked_seq), 0) + 1 FROM movie_preferences WHERE user_id = $user";

    public const string AddPositives = "UPDATE movies SET positives = positives + $delta WHERE id = $id";

    public const string MovieColumns = "id, title, year, genres";
}
