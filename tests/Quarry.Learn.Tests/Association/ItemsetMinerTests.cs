using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

public sealed class ItemsetMinerTests
{
    [Fact]
    public void Random_databases_match_brute_force_enumeration()
    {
        var random = new Random(12345);
        for (var round = 0; round < 400; round++)
        {
            var transactions = BruteForce.RandomTransactions(random, out var itemCount);
            var database = TransactionDatabase.Create(transactions);
            var minSupport = random.Next(1, Math.Max(2, transactions.Count / 2));
            var maxLength = random.Next(3) == 0 ? random.Next(0, 4) : int.MaxValue;

            var mined = ItemsetMiner.Mine(database, new MiningOptions(minSupport, maxLength), cancellationToken: TestContext.Current.CancellationToken);

            var expected = BruteForce.FrequentItemsets(transactions, itemCount, minSupport, maxLength);
            var actual = BruteForce.ToDictionary(mined);
            Assert.True(expected.Count == actual.Count, $"round {round}: expected {expected.Count} itemsets, mined {actual.Count} (min {minSupport}, max length {maxLength})");
            Assert.Equal(expected, actual);
            Assert.Equal(transactions.Count, mined.TransactionCount);
        }
    }

    [Fact]
    public void Items_of_each_itemset_are_ascending_and_lookup_finds_every_itemset()
    {
        var random = new Random(7);
        for (var round = 0; round < 100; round++)
        {
            var transactions = BruteForce.RandomTransactions(random, out _);
            var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(1), cancellationToken: TestContext.Current.CancellationToken);
            for (var i = 0; i < mined.Count; i++)
            {
                var items = mined.Items(i);
                for (var k = 1; k < items.Length; k++)
                {
                    Assert.True(items[k - 1] < items[k]);
                }

                Assert.True(mined.TryGetSupport(items, out var support));
                Assert.Equal(mined.Support(i), support);
                if (items.Length == 1)
                {
                    Assert.Equal(mined.Support(i), mined.ItemSupport(items[0]));
                }
            }
        }
    }

    [Fact]
    public void Dense_database_switches_representation_and_still_matches_brute_force()
    {
        // Dense rows choose bit vectors (Auto), which must agree with brute force like the projected rows do.
        var random = new Random(99);
        var transactions = Enumerable.Range(0, 300)
            .Select(_ => Enumerable.Range(0, 12).Where(i => random.NextDouble() < 0.9 - (i * 0.02)).ToArray())
            .ToList();
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(150), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(BruteForce.FrequentItemsets(transactions, 12, 150, int.MaxValue), BruteForce.ToDictionary(mined));
    }

    [Theory]
    [InlineData(2000, 300, 20, 500)]
    [InlineData(5000, 2600, 3, 3000)]
    public void Larger_sparse_database_matches_direct_support_counts(int transactionCount, int itemCount, int minSupport, int minimumItemsets)
    {
        // Many items and long transactions exercise the pair matrix (or its absence) and deep projected classes.
        var random = new Random(2024);
        var transactions = Enumerable.Range(0, transactionCount)
            .Select(_ => Enumerable.Range(0, random.Next(1, 25)).Select(_ => (int)Math.Floor(Math.Pow(random.NextDouble(), 2) * itemCount)).ToArray())
            .ToList();
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(minSupport), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(mined.Count > minimumItemsets, $"only {mined.Count} itemsets; the test needs a richer lattice");
        var distinct = transactions.Select(t => t.Distinct().ToArray()).ToList();
        for (var i = 0; i < mined.Count; i += 7)
        {
            Assert.Equal(BruteForce.Support(distinct, mined.Items(i).ToArray()), mined.Support(i));
        }

        // Every frequent single item and pair must be reported: count them directly.
        var singles = distinct.SelectMany(t => t).CountBy(i => i).Where(p => p.Value >= minSupport).ToList();
        Assert.Equal(singles.Count, Enumerable.Range(0, mined.Count).Count(i => mined.Items(i).Length == 1));
        var pairs = new Dictionary<(int, int), int>();
        foreach (var t in distinct)
        {
            var sorted = t.Order().ToArray();
            for (var a = 0; a < sorted.Length; a++)
            {
                for (var b = a + 1; b < sorted.Length; b++)
                {
                    pairs[(sorted[a], sorted[b])] = pairs.GetValueOrDefault((sorted[a], sorted[b])) + 1;
                }
            }
        }

        var frequentPairs = pairs.Where(p => p.Value >= minSupport).ToList();
        Assert.Equal(frequentPairs.Count, Enumerable.Range(0, mined.Count).Count(i => mined.Items(i).Length == 2));
        foreach (var ((a, b), support) in frequentPairs)
        {
            Assert.True(mined.TryGetSupport([a, b], out var found));
            Assert.Equal(support, found);
        }
    }
}
