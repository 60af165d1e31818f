namespace Quarry.Bench.Fimi;

/// <summary>One benchmark run: a FIMI file (or the synthetic playlists) mined at a relative threshold, with the expected itemset count.</summary>
internal sealed record FimiRun(string Name, string? File, double Threshold, int ExpectedCount)
{
    /// <summary>The reference runs from the data README, plus the seeded synthetic playlist run.</summary>
    public static IReadOnlyList<FimiRun> All { get; } =
    [
        new("retail 0.1%", "retail.dat", 0.001, 7_589),
        new("retail 0.05%", "retail.dat", 0.0005, 19_242),
        new("T10I4D100K 0.1%", "T10I4D100K.dat", 0.001, 27_532),
        new("chess 70%", "chess.dat", 0.7, 48_731),
        new("mushroom 10%", "mushroom.dat", 0.1, 574_431),
        new("playlists 0.5%", null, 0.005, SyntheticPlaylists.ExpectedItemsets),
    ];
}
