using Quarry.Learn.Association;

namespace Quarry.Bench.Fimi;

/// <summary>Seeded synthetic playlists: songs grouped in clusters with skewed popularity, so co-listened songs form itemsets.</summary>
internal static class PlaylistGenerator
{
    public const int Playlists = 50_000;
    public const int Songs = 20_000;
    public const int ExpectedItemsets = 31_234;
    private const int ClusterSize = 40;
    private const int Seed = 20_240_611;

    public static List<int[]> Generate()
    {
        var random = new Random(Seed);
        var clusters = Songs / ClusterSize;
        var clusterWeights = Cumulative(clusters, 1.1);
        var songWeights = Cumulative(ClusterSize, 1.3);
        var globalWeights = Cumulative(Songs, 1.0);
        var playlists = new List<int[]>(Playlists);
        var songs = new List<int>(64);
        Span<int> chosen = stackalloc int[3];
        for (var p = 0; p < Playlists; p++)
        {
            songs.Clear();
            var length = random.Next(5, 61);
            var themes = random.Next(1, 4);
            for (var t = 0; t < themes; t++)
            {
                chosen[t] = Sample(clusterWeights, random);
            }

            for (var s = 0; s < length; s++)
            {
                // Most songs come from the playlist's themes; the rest are globally popular tracks.
                songs.Add(random.NextDouble() < 0.8
                    ? (chosen[random.Next(themes)] * ClusterSize) + Sample(songWeights, random)
                    : Sample(globalWeights, random));
            }

            playlists.Add([.. songs]);
        }

        return playlists;
    }

    private static double[] Cumulative(int count, double exponent)
    {
        var cumulative = new double[count];
        var total = 0.0;
        for (var i = 0; i < count; i++)
        {
            total += 1.0 / Math.Pow(i + 1, exponent);
            cumulative[i] = total;
        }

        for (var i = 0; i < count; i++)
        {
            cumulative[i] /= total;
        }

        return cumulative;
    }

    private static int Sample(double[] cumulative, Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble());
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }

    /// <summary>Builds the database the way a caller holding playlists in memory would.</summary>
    public static TransactionDatabase ToDatabase(List<int[]> playlists) => TransactionDatabase.Create(playlists);
}
