using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

/// <summary>
/// Finds every frequent itemset of a transaction database: Eclat with perfect-extension pruning, over transactions projected
/// per class on sparse data and over bit vectors on dense data.
/// </summary>
public static class ItemsetMiner
{
    /// <summary>
    /// Returns every non-empty itemset with support count &gt;= <see cref="MiningOptions.MinSupportCount"/> and length &lt;= <see cref="MiningOptions.MaxLength"/>.
    /// Progress reports the fraction of top-level items done. Runs on the calling thread.
    /// </summary>
    public static FrequentItemsets Mine(TransactionDatabase database, MiningOptions options, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var sink = new ItemsetSink();
        var itemSupports = Run(database, options, sink, progress, TidsetLayout.Auto, cancellationToken);
        return sink.Build(database.Count, itemSupports);
    }

    /// <summary>
    /// Reports every frequent itemset to <paramref name="receiver"/> as it is found, holding none of them, and returns how many there were.
    /// Same itemsets and supports as <see cref="Mine(TransactionDatabase, MiningOptions, IProgress{double}?, CancellationToken)"/>.
    /// </summary>
    public static long Mine(TransactionDatabase database, MiningOptions options, IItemsetReceiver receiver, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var counter = new CountingReceiver(receiver);
        Run(database, options, counter, progress, TidsetLayout.Auto, cancellationToken);
        return counter.Count;
    }

    /// <summary>Mining with a chosen tidset layout, so tests can check each search on the same data.</summary>
    internal static int[] Run(TransactionDatabase database, MiningOptions options, IItemsetReceiver receiver, IProgress<double>? progress, TidsetLayout layout, CancellationToken cancellationToken, ClassCounting counting = ClassCounting.Auto)
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
        if (options.MaxLength > 0)
        {
            var ranked = new RankedItems(itemSupports);
            var emitter = new ItemsetEmitter(receiver, options.MaxLength);
            var bits = layout == TidsetLayout.Bits || (layout == TidsetLayout.Auto && BitSearch.Suits(database, ranked));
            if (bits)
            {
                new BitSearch(database, ranked, options, emitter, progress, cancellationToken).Run();
            }
            else
            {
                new EclatSearch(database, ranked, options, counting, emitter, progress, cancellationToken).Run();
            }
        }

        progress?.Report(1.0);
        return itemSupports;
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

    private sealed class CountingReceiver(IItemsetReceiver inner) : IItemsetReceiver
    {
        public long Count { get; private set; }

        public void Receive(ReadOnlySpan<int> items, int support)
        {
            Count++;
            inner.Receive(items, support);
        }
    }
}

/// <summary>How tidsets are held during the search.</summary>
internal enum TidsetLayout
{
    /// <summary>Bit vectors on dense data, projected rows otherwise.</summary>
    Auto,

    /// <summary>Transactions as rows of item ranks, projected per class.</summary>
    Lists,

    /// <summary>Bit vectors over all transactions.</summary>
    Bits,
}

/// <summary>How a class of the sparse search learns the supports of its members' extensions.</summary>
internal enum ClassCounting
{
    /// <summary>A pair matrix unless the class has too many members for its rows.</summary>
    Auto,

    /// <summary>Every member pair counted in one scan of the class's rows.</summary>
    PairMatrix,

    /// <summary>Each member scans its own projected rows.</summary>
    PerMember,
}
