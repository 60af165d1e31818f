using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

/// <summary>Finds every frequent itemset of a transaction database (Eclat with tidsets that switch to diffsets on dense data).</summary>
public static class ItemsetMiner
{
    /// <summary>
    /// Returns every non-empty itemset with support count &gt;= <see cref="MiningOptions.MinSupportCount"/> and length &lt;= <see cref="MiningOptions.MaxLength"/>.
    /// Progress reports the fraction of top-level items done. Runs on the calling thread.
    /// </summary>
    public static FrequentItemsets Mine(TransactionDatabase database, MiningOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MinSupportCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinSupportCount, "MinSupportCount must be at least 1 (use SupportThreshold.ToCount for fractions).");
        }

        if (options.MaxLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, "MaxLength must not be negative.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var itemSupports = CountItems(database, options.MinSupportCount);
        var sink = new ItemsetSink();
        if (options.MaxLength > 0)
        {
            var search = new EclatSearch(database, itemSupports, options, sink, progress, cancellationToken);
            search.Run();
        }

        progress?.Report(1.0);
        return sink.Build(database.Count, itemSupports);
    }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    /// <summary>Support of every item, with infrequent items set to zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] CountItems(TransactionDatabase database, int minSupport)
    {
        var supports = new int[database.ItemCount];
        foreach (var item in database.Items)
        {
            supports[item]++;
        }

        for (var i = 0; i < supports.Length; i++)
        {
            if (supports[i] < minSupport)
            {
                supports[i] = 0;
            }
        }

        return supports;
    }
}
