using Quarry.Core.Hosting;

namespace Quarry.Playlists.Training;

/// <summary>Inputs of <c>quarry train playlists</c>.</summary>
public sealed record PlaylistTrainingOptions
{
    /// <summary>Defaults of the original ML processor.</summary>
    public const double DefaultMinSupport = 0.025;

    /// <summary>Default least confidence of a rule.</summary>
    public const double DefaultMinConfidence = 0.7;

    /// <summary>Default longest itemset.</summary>
    public const int DefaultMaxLength = 8;

    /// <summary>http(s) URL, file:// URL or local path of the playlist CSV (or a folder of them).</summary>
    public required string Dataset { get; init; }

    /// <summary>The data directory; models go to its <c>playlists</c> folder, downloads to <c>datasets</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>Below 1: fraction of playlists; 1 or more: a count of playlists.</summary>
    public double MinSupport { get; init; } = DefaultMinSupport;

    /// <summary>Least confidence of a rule, in (0, 1].</summary>
    public double MinConfidence { get; init; } = DefaultMinConfidence;

    /// <summary>Longest itemset mined (so the longest antecedent is one less).</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;

    /// <summary>Retrain even when the checkpoint already names this version and dataset.</summary>
    public bool Force { get; init; }

    /// <summary>Version written to the checkpoint and returned by the API.</summary>
    public string Version { get; init; } = QuarryInfo.Version;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Dataset, "--dataset / DATASET_URL");
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDir, "--data-dir / DATA_DIR");
        if (!(MinSupport > 0) || double.IsInfinity(MinSupport))
        {
            throw new ArgumentException($"--min-support must be a fraction in (0, 1) or a count of at least 1; got {MinSupport}.");
        }

        if (!(MinConfidence > 0 && MinConfidence <= 1))
        {
            throw new ArgumentException($"--min-confidence must be in (0, 1]; got {MinConfidence}.");
        }

        if (MaxLength is < 2 or > 255)
        {
            throw new ArgumentException($"--max-length must be from 2 to 255 (a rule needs two songs); got {MaxLength}.");
        }

        if (string.IsNullOrWhiteSpace(Version) || Version.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The model version must be one word like 1.2.3; got '{Version}'.");
        }
    }
}
