using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

/// <summary>Reference answers computed by enumerating every subset of the item universe.</summary>
internal static class BruteForce
{
    public static Dictionary<string, int> FrequentItemsets(IReadOnlyList<int[]> transactions, int itemCount, int minSupport, int maxLength)
    {
        var sets = transactions.Select(t => t.Aggregate(0, (mask, item) => mask | (1 << item))).ToArray();
        var result = new Dictionary<string, int>();
        for (var mask = 1; mask < 1 << itemCount; mask++)
        {
            var length = System.Numerics.BitOperations.PopCount((uint)mask);
            if (length > maxLength)
            {
                continue;
            }

            var support = sets.Count(s => (s & mask) == mask);
            if (support >= minSupport)
            {
                result[Key(Enumerable.Range(0, itemCount).Where(i => (mask & (1 << i)) != 0))] = support;
            }
        }

        return result;
    }

    public static int Support(IReadOnlyList<int[]> transactions, IEnumerable<int> items)
    {
        var set = items.ToArray();
        return transactions.Count(t => set.All(t.Contains));
    }

    public static string Key(IEnumerable<int> items) => string.Join(",", items);

    public static Dictionary<string, int> ToDictionary(FrequentItemsets itemsets)
    {
        var result = new Dictionary<string, int>();
        for (var i = 0; i < itemsets.Count; i++)
        {
            result.Add(Key(itemsets.Items(i).ToArray()), itemsets.Support(i));
        }

        return result;
    }

    /// <summary>A random database over up to 12 items, with repeated items and empty transactions mixed in.</summary>
    public static List<int[]> RandomTransactions(Random random, out int itemCount)
    {
        itemCount = random.Next(1, 13);
        var count = random.Next(0, 61);
        var density = 0.1 + (random.NextDouble() * 0.7);
        var transactions = new List<int[]>(count);
        for (var t = 0; t < count; t++)
        {
            var items = new List<int>();
            for (var i = 0; i < itemCount; i++)
            {
                // Skewed per-item probability so that some items are frequent and some are not.
                if (random.NextDouble() < density * (1.0 - (i * 0.5 / itemCount)))
                {
                    items.Add(i);
                }
            }

            if (items.Count > 0 && random.Next(4) == 0)
            {
                items.Add(items[random.Next(items.Count)]);
            }

            transactions.Add([.. items.OrderBy(_ => random.Next())]);
        }

        return transactions;
    }
}
