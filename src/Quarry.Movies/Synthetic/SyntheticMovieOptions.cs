namespace Quarry.Movies.Synthetic;

/// <summary>Size and seed of a synthetic MovieLens-like data set.</summary>
public sealed record SyntheticMovieOptions
{
    /// <summary>Number of users (ids 1..Users).</summary>
    public int Users { get; init; } = 2_000;

    /// <summary>Number of movies (ids 1..Movies).</summary>
    public int Movies { get; init; } = 1_000;

    /// <summary>Seed; the same options always give the same files.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Mean number of distinct movies each user rates (log-normal around it, at least 5).</summary>
    public double RatingsPerUser { get; init; } = 40;

    /// <summary>Latent taste dimensions (2..18); each one gives the movies it dominates a genre.</summary>
    public int Factors { get; init; } = 16;

    /// <summary>The benchmark set: 100,000 users, 10,000 movies, about 2,000,000 ratings.</summary>
    public static SyntheticMovieOptions Benchmark { get; } = new() { Users = 100_000, Movies = 10_000, RatingsPerUser = 20 };

    internal void Validate()
    {
        if (Users < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Users), Users, "Users must be at least 1.");
        }

        if (Movies < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Movies), Movies, "Movies must be at least 1.");
        }

        if (!(RatingsPerUser >= 1) || RatingsPerUser > Movies)
        {
            throw new ArgumentOutOfRangeException(nameof(RatingsPerUser), RatingsPerUser, "RatingsPerUser must be between 1 and Movies.");
        }

        if (Factors < 2 || Factors > SyntheticTasteModel.GenreNames.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(Factors), Factors, $"Factors must be between 2 and {SyntheticTasteModel.GenreNames.Length}.");
        }
    }
}
