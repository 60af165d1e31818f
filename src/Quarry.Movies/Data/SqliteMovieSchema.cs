namespace Quarry.Movies.Data;

/// <summary>The SQLite tables, indexes and the triggers that keep each movie's positive count current.</summary>
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
        CREATE TRIGGER IF NOT EXISTS movie_preferences_positive_insert AFTER INSERT ON movie_preferences
            WHEN new.rating >= 4.0
            BEGIN UPDATE movies SET positives = positives + 1 WHERE id = new.movie_id; END;
        CREATE TRIGGER IF NOT EXISTS movie_preferences_positive_update AFTER UPDATE OF rating ON movie_preferences
            WHEN (old.rating >= 4.0) <> (new.rating >= 4.0)
            BEGIN UPDATE movies SET positives = positives + (CASE WHEN new.rating >= 4.0 THEN 1 ELSE -1 END) WHERE id = new.movie_id; END;
        CREATE TRIGGER IF NOT EXISTS movie_preferences_positive_delete AFTER DELETE ON movie_preferences
            WHEN old.rating >= 4.0
            BEGIN UPDATE movies SET positives = positives - 1 WHERE id = old.movie_id; END;
        """;

    public const string UpsertMovie =
        """
        INSERT INTO movies (id, title, title_key, year, genres) VALUES ($id, $title, $key, $year, $genres)
        ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key, year = excluded.year, genres = excluded.genres
        """;

    public const string UpsertRating =
        """
        INSERT INTO movie_preferences (user_id, movie_id, rating, ts, liked_seq) VALUES ($user, $movie, $rating, $ts, NULL)
        ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, ts = excluded.ts, liked_seq = NULL
        """;

    // A like already present keeps its place in the newest-first order, so repeating it changes nothing.
    public const string Like =
        """
        INSERT INTO movie_preferences (user_id, movie_id, rating, ts, liked_seq)
        VALUES ($user, $movie, 5.0, $ts, (SELECT coalesce(max(liked_seq), 0) + 1 FROM movie_preferences WHERE user_id = $user))
        ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, ts = excluded.ts, liked_seq = excluded.liked_seq
        WHERE liked_seq IS NULL
        """;

    public const string Unlike = "DELETE FROM movie_preferences WHERE user_id = $user AND movie_id = $movie AND liked_seq IS NOT NULL";

    public const string MovieColumns = "id, title, year, genres";
}
