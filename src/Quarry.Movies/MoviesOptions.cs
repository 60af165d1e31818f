namespace Quarry.Movies;

/// <summary>Where the movie catalog, users' likes and ratings are kept.</summary>
public enum MovieStoreKind
{
    /// <summary>A SQLite file in the data dir.</summary>
    Sqlite,

    /// <summary>PostgreSQL.</summary>
    Postgres,
}

/// <summary>Settings of the movie service, bound from <c>Quarry:Movies</c> (<c>Quarry__Movies__...</c>); checked by <see cref="MoviesOptionsValidator"/>.</summary>
public sealed class MoviesOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Movies";

    /// <summary><c>sqlite</c> (a file in the data dir) or <c>postgres</c>.</summary>
    public MovieStoreKind Store { get; set; } = MovieStoreKind.Sqlite;

    /// <summary>PostgreSQL connection string when <see cref="Store"/> is <c>postgres</c>.</summary>
    public string? Postgres { get; set; }

    /// <summary>On an empty store with no model, import a small synthetic catalog and train on it at start.</summary>
    public bool Bootstrap { get; set; } = true;

    /// <summary>How often the model checkpoint is re-read when no file event arrives (10 ms to 1 hour).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
