using Quarry.Playlists.Data;

namespace Quarry.Bench.Fimi;

/// <summary>The product's seeded playlist generator at benchmark scale, written once to a CSV that each repetition parses.</summary>
internal static class SyntheticPlaylists
{
    public const int ExpectedItemsets = 1_674;

    public static PlaylistGeneratorOptions Options { get; } = new() { Playlists = 50_000, Songs = 20_000, Seed = 42 };

    /// <summary>Writes the CSV (not timed) and returns its path.</summary>
    public static string Generate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"quarry-bench-playlists-{Options.Playlists}-{Options.Songs}-{Options.Seed}.csv");
        if (!File.Exists(path))
        {
            PlaylistGenerator.WriteFile(path + ".tmp", Options);
            File.Move(path + ".tmp", path, overwrite: true);
        }

        return path;
    }
}
