namespace Quarry.Playlists.Tests.Data;

/// <summary>Counts association rules by enumerating every itemset of every playlist: slow, obviously right.</summary>
internal static class BruteForceRules
{
    private const int MaxItems = 4;

    /// <summary>Rules X -> c with one consequent and |X| of 1 to 3; element k of the result counts rules with |X| = k.</summary>
    public static int[] Count(int[][] playlists, double minSupport, double minConfidence)
    {
        var minCount = (int)Math.Ceiling(minSupport * playlists.Length);
        var single = new Dictionary<int, int>();
        foreach (var song in playlists.SelectMany(p => p))
        {
            single[song] = single.GetValueOrDefault(song) + 1;
        }

        // Only frequent songs can be in a frequent itemset; dense ids let four fit in one key.
        var dense = single.Where(kv => kv.Value >= minCount).Select(kv => kv.Key).Order()
            .Select((song, i) => (song, i)).ToDictionary(x => x.song, x => x.i + 1);
        var counts = new Dictionary<ulong, int>(MixedKeys.Instance);
        var items = new List<int>();
        foreach (var playlist in playlists)
        {
            items.Clear();
            items.AddRange(playlist.Where(dense.ContainsKey).Select(s => dense[s]).Order());
            CountSubsets(items, 0, 0, 0, counts);
        }

        var rules = new int[MaxItems];
        var members = new ulong[MaxItems];
        foreach (var (key, count) in counts)
        {
            var size = Unpack(key, members);
            if (size < 2 || count < minCount)
            {
                continue;
            }

            for (var drop = 0; drop < size; drop++)
            {
                ulong antecedent = 0;
                for (var i = 0; i < size; i++)
                {
                    if (i != drop)
                    {
                        antecedent = (antecedent << 16) | members[i];
                    }
                }

                if (count >= minConfidence * counts[antecedent])
                {
                    rules[size - 1]++;
                }
            }
        }

        return rules;
    }

    private static void CountSubsets(List<int> items, int start, int depth, ulong prefix, Dictionary<ulong, int> counts)
    {
        for (var i = start; i < items.Count; i++)
        {
            var key = (prefix << 16) | (uint)items[i];
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (depth + 1 < MaxItems)
            {
                CountSubsets(items, i + 1, depth + 1, key, counts);
            }
        }
    }

    private static int Unpack(ulong key, ulong[] members)
    {
        var size = 0;
        for (var k = key; k != 0; k >>= 16)
        {
            size++;
        }

        for (var i = size - 1; i >= 0; i--, key >>= 16)
        {
            members[i] = key & 0xFFFF;
        }

        return size;
    }

    /// <summary>Packed keys differ mostly in bit ranges that ulong's own hash folds together.</summary>
    private sealed class MixedKeys : IEqualityComparer<ulong>
    {
        public static readonly MixedKeys Instance = new();

        public bool Equals(ulong x, ulong y) => x == y;

        public int GetHashCode(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32);
    }
}
