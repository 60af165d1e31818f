using System.Diagnostics;
using System.Globalization;
using Quarry.Learn.Association;
using Quarry.Playlists.Data;

namespace Quarry.Bench.Fimi;

/// <summary>Measured part of a run, executed in a child process so that its peak memory is its own.</summary>
internal static class FimiChild
{
    public static int Run(FimiRun run, string dataDirectory, int repeat)
    {
        var playlists = run.File is null ? SyntheticPlaylists.Generate() : null;
        var reads = new double[repeat];
        var mines = new double[repeat];
        long itemsets = 0;
        int transactions = 0, minCount = 0;
        var discard = new DiscardItemsets();
        for (var i = 0; i < repeat; i++)
        {
            var clock = Stopwatch.StartNew();
            TransactionDatabase database;
            if (playlists is not null)
            {
                database = TransactionDatabase.Create(PlaylistCsv.Read(playlists).Playlists);
            }
            else
            {
                using var stream = File.OpenRead(Path.Combine(dataDirectory, run.File!));
                database = TransactionDatabase.ReadFimi(stream).Database;
            }

            reads[i] = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            minCount = SupportThreshold.ToCount(run.Threshold, database.Count);
            itemsets = ItemsetMiner.Mine(database, new MiningOptions(minCount), discard);
            mines[i] = clock.Elapsed.TotalMilliseconds;
            transactions = database.Count;
        }

        var result = new FimiResult(transactions, minCount, itemsets, reads.Min(), Median(reads), mines.Min(), Median(mines), PeakKilobytes());
        Console.WriteLine(result.Format());
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>VmHWM (peak resident set) of this process in KiB, or 0 where /proc is missing.</summary>
    private static long PeakKilobytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var digits = line?["VmHWM:".Length..].Trim().Split(' ')[0];
        return long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
    }
}

/// <summary>Counts nothing and keeps nothing: mining time alone, with itemsets streamed rather than stored.</summary>
internal sealed class DiscardItemsets : IItemsetReceiver
{
    public void Receive(ReadOnlySpan<int> items, int support)
    {
    }
}

/// <summary>Figures a child process reports back, as one line of key=value pairs.</summary>
internal sealed record FimiResult(int Transactions, int MinCount, long Itemsets, double ReadBest, double ReadMedian, double MineBest, double MineMedian, long PeakKilobytes)
{
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"result {Transactions} {MinCount} {Itemsets} {ReadBest:R} {ReadMedian:R} {MineBest:R} {MineMedian:R} {PeakKilobytes}");

    public static FimiResult Parse(string output)
    {
        var line = output.Split('\n').Last(l => l.StartsWith("result ", StringComparison.Ordinal));
        var f = line.Split(' ');
        var c = CultureInfo.InvariantCulture;
        return new FimiResult(int.Parse(f[1], c), int.Parse(f[2], c), long.Parse(f[3], c), double.Parse(f[4], c), double.Parse(f[5], c),
            double.Parse(f[6], c), double.Parse(f[7], c), long.Parse(f[8], c));
    }
}
