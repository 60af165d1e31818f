namespace Quarry.Movies.Data;

/// <summary>The PostgreSQL tables and the set-based statements that keep each movie's positive count current.</summary>
internal static class PostgresMovieSchema
{
    /// <summary>Advisory lock key that serializes preference writes, so the count deltas see every earlier commit.</summary>
    public const string PreferenceLock = "SELECT pg_advisory_xact_lock(hashtext('quarry.movie_preferences'))";

    public const string Create =
        """
        SELECT pg_advisory_xact_lock(hashtext('quarry.movies.schema'));
        CREATE TABLE IF NOT EXISTS movies (
            id integer PRIMARY KEY,
            title text NOT NULL,
            title_key text NOT NULL,
            year integer,
            genres text[] NOT NULL,
            positives integer NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS movies_popularity ON movies (positives DESC, title COLLATE "C", id);
        CREATE TABLE IF NOT EXISTS movie_genres (
            genre_key text COLLATE "C" NOT NULL,
            movie_id integer NOT NULL REFERENCES movies (id),
            genre text COLLATE "C" NOT NULL,
            PRIMARY KEY (genre_key, movie_id));
        CREATE INDEX IF NOT EXISTS movie_genres_movie ON movie_genres (movie_id);
        CREATE TABLE IF NOT EXISTS movie_preferences (
            user_id text COLLATE "C" NOT NULL,
            movie_id integer NOT NULL REFERENCES movies (id),
            rating real NOT NULL,
            ts bigint NOT NULL,
            liked_seq bigint,
            PRIMARY KEY (user_id, movie_id));
        """;

    public const string UpsertMovies =
        """
        INSERT INTO movies (id, title, title_key, year, genres)
        SELECT id, title, title_key, year, string_to_array(genres, '|')
        FROM unnest(@ids, @titles, @keys, @years, @genres) AS m(id, title, title_key, year, genres)
        ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key, year = excluded.year, genres = excluded.genres;
        DELETE FROM movie_genres WHERE movie_id = ANY(@ids);
        INSERT INTO movie_genres (genre_key, movie_id, genre) SELECT * FROM unnest(@genreKeys, @genreMovies, @genreNames);
        """;

    public const string StageRatings =
        """
        CREATE TEMP TABLE movie_incoming (ord integer, user_id text COLLATE "C", movie_id integer, rating real, ts bigint) ON COMMIT DROP
        """;

    public const string CopyRatings = "COPY movie_incoming (ord, user_id, movie_id, rating, ts) FROM STDIN (FORMAT BINARY)";

    // One statement: all parts see the table before the upsert, so "old" holds the ratings being replaced.
    public const string MergeRatings =
        """
        WITH incoming AS (
            SELECT DISTINCT ON (user_id, movie_id) user_id, movie_id, rating, ts
            FROM movie_incoming ORDER BY user_id, movie_id, ord DESC),
        old AS (
            SELECT p.movie_id, p.rating FROM movie_preferences p JOIN incoming i USING (user_id, movie_id)),
        written AS (
            INSERT INTO movie_preferences (user_id, movie_id, rating, ts, liked_seq)
            SELECT user_id, movie_id, rating, ts, NULL FROM incoming
            ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, ts = excluded.ts, liked_seq = NULL),
        delta AS (
            SELECT movie_id, sum(d)::integer AS d FROM (
                SELECT movie_id, 1 AS d FROM incoming WHERE rating >= 4.0
                UNION ALL
                SELECT movie_id, -1 FROM old WHERE rating >= 4.0) c
            GROUP BY movie_id)
        UPDATE movies m SET positives = m.positives + delta.d FROM delta WHERE m.id = delta.movie_id AND delta.d <> 0
        """;

    public const string Like =
        """
        WITH old AS (
            SELECT rating, liked_seq FROM movie_preferences WHERE user_id = @user AND movie_id = @movie),
        written AS (
            INSERT INTO movie_preferences (user_id, movie_id, rating, ts, liked_seq)
            VALUES (@user, @movie, 5.0, @ts, (SELECT coalesce(max(liked_seq), 0) + 1 FROM movie_preferences WHERE user_id = @user))
            ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, ts = excluded.ts, liked_seq = excluded.liked_seq
            WHERE movie_preferences.liked_seq IS NULL
            RETURNING movie_id)
        UPDATE movies SET positives = positives + 1
        WHERE id = @movie AND EXISTS (SELECT 1 FROM written) AND NOT EXISTS (SELECT 1 FROM old WHERE rating >= 4.0)
        """;

    public const string Unlike =
        """
        WITH removed AS (
            DELETE FROM movie_preferences WHERE user_id = @user AND movie_id = @movie AND liked_seq IS NOT NULL
            RETURNING movie_id)
        UPDATE movies SET positives = positives - 1 WHERE id = @movie AND EXISTS (SELECT 1 FROM removed)
        """;

    public const string MovieColumns = "id, title, year, genres";
}
