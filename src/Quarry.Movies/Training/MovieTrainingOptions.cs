using Quarry.Core.Hosting;
using Quarry.Learn.Recommenders;

namespace Quarry.Movies.Training;

/// <summary>Inputs of <c>quarry train movies</c>.</summary>
public sealed record MovieTrainingOptions
{
    /// <summary>Largest catalog trained with dense EASE by default (its weights take items² × 4 bytes).</summary>
    public const int MaxEaseItems = 20_000;

    /// <summary>The data directory; models go to its <c>movies</c> folder.</summary>
    public required string DataDir { get; init; }

    /// <summary><c>ease</c>, <c>knn</c>, or <c>auto</c> (EASE up to <see cref="MaxEaseItems"/> movies, kNN beyond).</summary>
    public string Model { get; init; } = "auto";

    /// <summary>EASE's settings (λ and the validated regularisation extras).</summary>
    public EaseOptions Ease { get; init; } = EaseOptions.Recommended;

    /// <summary>kNN's neighbours per movie.</summary>
    public int Neighbours { get; init; } = 100;

    /// <summary>Ratings at or above this count as likes (likes themselves are stored as 5).</summary>
    public float PositiveThreshold { get; init; } = 4f;

    /// <summary>Version written to the checkpoint.</summary>
    public string Version { get; init; } = QuarryInfo.Version;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Model is not ("auto" or "ease" or "knn"))
        {
            throw new ArgumentException($"--model must be auto, ease or knn; got '{Model}'.");
        }

        if (!(Ease.Lambda > 0) || float.IsInfinity(Ease.Lambda))
        {
            throw new ArgumentException($"--lambda must be a positive number; got {Ease.Lambda}.");
        }

        if (Neighbours is < 1 or > 10_000)
        {
            throw new ArgumentException($"--neighbours must be from 1 to 10000; got {Neighbours}.");
        }

        if (PositiveThreshold is < 0 or > 5)
        {
            throw new ArgumentException($"The positive threshold must be from 0 to 5; got {PositiveThreshold}.");
        }
    }
}
