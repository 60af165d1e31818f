using System.Numerics;
using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

public sealed class SearchLayoutTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TidsetLayout.Lists, ClassCounting.Auto)]
    [InlineData(TidsetLayout.Lists, ClassCounting.PairMatrix)]
    [InlineData(TidsetLayout.Lists, ClassCounting.PerMember)]
    [InlineData(TidsetLayout.Bits, ClassCounting.Auto)]
    internal void Each_layout_streams_every_frequent_itemset_exactly_once(TidsetLayout layout, ClassCounting counting)
    {
        var random = new Random(4242 + (int)layout + (10 * (int)counting));
        for (var round = 0; round < 300; round++)
        {
            var transactions = BruteForce.RandomTransactions(random, out var itemCount);
            var minSupport = random.Next(1, Math.Max(2, transactions.Count / 2));
            var maxLength = random.Next(3) == 0 ? random.Next(0, 5) : int.MaxValue;
            var collected = new CollectingReceiver();

            ItemsetMiner.Run(TransactionDatabase.Create(transactions), new MiningOptions(minSupport, maxLength), collected, null, layout, Token, counting);

            var expected = BruteForce.FrequentItemsets(transactions, itemCount, minSupport, maxLength);
            Assert.True(expected.Count == collected.Itemsets.Count, $"round {round}: expected {expected.Count}, got {collected.Itemsets.Count} (min {minSupport}, max length {maxLength})");
            Assert.Equal(expected, collected.Itemsets);
        }
    }

    [Theory]
    [InlineData(TidsetLayout.Lists, ClassCounting.PairMatrix)]
    [InlineData(TidsetLayout.Lists, ClassCounting.PerMember)]
    [InlineData(TidsetLayout.Bits, ClassCounting.Auto)]
    internal void Perfect_extensions_are_reported_with_every_subset_up_to_the_length_cap(TidsetLayout layout, ClassCounting counting)
    {
        // Items 0..5 occur in every transaction that holds item 6, so every subset of them joins each itemset with 6.
        var transactions = new List<int[]>();
        for (var t = 0; t < 40; t++)
        {
            transactions.Add(t % 2 == 0 ? [0, 1, 2, 3, 4, 5, 6] : [0, 1, 2, 3, 4, 5, 7 + (t % 3)]);
        }

        foreach (var maxLength in new[] { 1, 2, 3, 7, int.MaxValue })
        {
            var collected = new CollectingReceiver();
            ItemsetMiner.Run(TransactionDatabase.Create(transactions), new MiningOptions(5, maxLength), collected, null, layout, Token, counting);

            Assert.Equal(BruteForce.FrequentItemsets(transactions, 10, 5, maxLength), collected.Itemsets);
        }
    }

    [Theory]
    [InlineData(ClassCounting.Auto)]
    [InlineData(ClassCounting.PairMatrix)]
    [InlineData(ClassCounting.PerMember)]
    internal void Projected_rows_find_what_bit_vectors_find_on_larger_databases(ClassCounting counting)
    {
        // Too many items for brute force: the bit-vector search, which shares no code with the projection, is the reference.
        var random = new Random(77 + (int)counting);
        for (var round = 0; round < 12; round++)
        {
            var itemCount = random.Next(20, 120);
            var transactions = Enumerable.Range(0, random.Next(200, 1500))
                .Select(_ => Enumerable.Range(0, random.Next(0, 30)).Select(_ => (int)(Math.Pow(random.NextDouble(), 1.5 + (round % 3)) * itemCount)).ToArray())
                .ToList();
            var database = TransactionDatabase.Create(transactions);
            var minSupport = Math.Max(2, transactions.Count / random.Next(25, 90));
            var maxLength = round % 4 == 3 ? random.Next(2, 5) : int.MaxValue;
            var lists = new CollectingReceiver();
            var bits = new CollectingReceiver();

            ItemsetMiner.Run(database, new MiningOptions(minSupport, maxLength), lists, null, TidsetLayout.Lists, Token, counting);
            ItemsetMiner.Run(database, new MiningOptions(minSupport, maxLength), bits, null, TidsetLayout.Bits, Token);

            Assert.True(bits.Itemsets.Count > 100, $"round {round}: only {bits.Itemsets.Count} itemsets; the test needs a richer lattice");
            Assert.Equal(bits.Itemsets, lists.Itemsets);
        }
    }

    [Fact]
    public void Too_many_frequent_items_for_a_pair_matrix_still_find_what_bit_vectors_find()
    {
        // Over 2,048 frequent items: each item's partners are counted from its rows instead of a matrix of every pair.
        var random = new Random(9);
        var transactions = Enumerable.Range(0, 3000).Select(t =>
        {
            var core = Enumerable.Range(0, 16).Where(i => random.NextDouble() < 0.55 - (i * 0.02)).Select(i => 3000 + i);
            var noise = Enumerable.Range(0, 6).Select(_ => random.Next(2500));
            return core.Concat(noise).ToArray();
        }).ToList();
        var database = TransactionDatabase.Create(transactions);
        var lists = new CollectingReceiver();
        var bits = new CollectingReceiver();

        ItemsetMiner.Run(database, new MiningOptions(3), lists, null, TidsetLayout.Lists, Token);
        ItemsetMiner.Run(database, new MiningOptions(3), bits, null, TidsetLayout.Bits, Token);

        Assert.True(bits.Itemsets.Keys.Count(k => !k.Contains(',')) > 2048, "the test needs more frequent items than a pair matrix takes");
        Assert.True(bits.Itemsets.Keys.Any(k => k.Split(',').Length >= 6), "the test needs deep itemsets");
        Assert.Equal(bits.Itemsets, lists.Itemsets);
    }

    [Fact]
    public void Pair_supports_above_65535_are_counted_in_full()
    {
        // Pair counts are kept in 16-bit cells between flushes: 140,000 rows holding items 0 and 1 must still count 140,000.
        var transactions = Enumerable.Range(0, 140_000).Select(t => new[] { 0, 1, 2 + (t % 50) }).ToList();
        var collected = new CollectingReceiver();

        ItemsetMiner.Run(TransactionDatabase.Create(transactions), new MiningOptions(2000), collected, null, TidsetLayout.Lists, Token);

        Assert.Equal(3 + (50 * 4), collected.Itemsets.Count);
        Assert.Equal(140_000, collected.Itemsets["0,1"]);
        Assert.Equal(2800, collected.Itemsets["0,1,7"]);
        Assert.Equal(2800, collected.Itemsets["1,51"]);
    }

    [Fact]
    public void Streaming_mine_returns_the_count_of_the_collected_result()
    {
        var random = new Random(31);
        var transactions = Enumerable.Range(0, 400)
            .Select(_ => Enumerable.Range(0, 14).Where(i => random.NextDouble() < 0.85 - (i * 0.03)).ToArray())
            .ToList();
        var database = TransactionDatabase.Create(transactions);
        var collected = new CollectingReceiver();

        var count = ItemsetMiner.Mine(database, new MiningOptions(120), collected, cancellationToken: Token);

        var mined = ItemsetMiner.Mine(database, new MiningOptions(120), cancellationToken: Token);
        Assert.Equal(mined.Count, count);
        Assert.Equal(BruteForce.ToDictionary(mined), collected.Itemsets);
        Assert.Equal(BruteForce.FrequentItemsets(transactions, 14, 120, int.MaxValue), collected.Itemsets);
    }

    [Fact]
    public void Bit_vector_kernel_matches_a_scalar_and_and_count()
    {
        var random = new Random(5);
        foreach (var words in new[] { 1, 7, 8, 9, 16, 61, 128 })
        {
            var a = Enumerable.Range(0, words).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40)).ToArray();
            var b = Enumerable.Range(0, words).Select(_ => (ulong)random.NextInt64()).ToArray();
            var destination = new ulong[words];

            var count = BitSearch.AndCount(a, b, destination);

            Assert.Equal(a.Zip(b, (x, y) => x & y).ToArray(), destination);
            Assert.Equal(a.Zip(b, (x, y) => BitOperations.PopCount(x & y)).Sum(), count);
        }
    }

    [Fact]
    public void Dense_data_chooses_bit_vectors_and_sparse_data_tid_lists()
    {
        var dense = TransactionDatabase.Create(Enumerable.Range(0, 100).Select(t => new[] { 0, 1, 2, t % 5 }).ToList());
        var sparse = TransactionDatabase.Create(Enumerable.Range(0, 1000).Select(t => new[] { t, (t + 1) % 1000 }).ToList());

        Assert.True(BitSearch.Suits(dense, new RankedItems([100, 100, 100, 20, 20])));
        Assert.False(BitSearch.Suits(sparse, new RankedItems(Enumerable.Repeat(2, 1000).ToArray())));
    }

    /// <summary>Keeps every reported itemset by content and fails on a repeat.</summary>
    private sealed class CollectingReceiver : IItemsetReceiver
    {
        public Dictionary<string, int> Itemsets { get; } = [];

        public void Receive(ReadOnlySpan<int> items, int support)
        {
            var sorted = items.ToArray();
            Array.Sort(sorted);
            Assert.Equal(sorted.Length, sorted.Distinct().Count());
            Itemsets.Add(BruteForce.Key(sorted), support);
        }
    }
}
