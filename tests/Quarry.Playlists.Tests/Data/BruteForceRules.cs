namespace Quarry.Playlists.Tests.Data;

/// <summary>Counts association rules by enumerating every itemset in every playlist: slow, obviously right.</summary>
internal static class BruteForceRules
{
    /// <summary>Rules X -> c with one consequent; element k of the result counts rules whose antecedent has k songs.</summary>
    public static int[] Count(int[][] playlists, double minSupport, double minConfidence, int maxAntecedent)
    {
        var minCount = (int)Math.Ceiling(minSupport * playlists.Length);
        var single = new Dictionary<int, int>();
        foreach (var song in playlists.SelectMany(p => p))
        {
            single[song] = single.GetValueOrDefault(song) + 1;
        }

        // Only frequent songs can be in a frequent itemset, which keeps the enumeration small.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var playlist in playlists)
        {
            var frequent = playlist.Where(s => single[s] >= minCount).Order().ToArray();
            foreach (var subset in Subsets(frequent, maxAntecedent + 1))
            {
                var key = string.Join(',', subset);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var rules = new int[maxAntecedent + 1];
        foreach (var (key, count) in counts)
        {
            var items = key.Split(',');
            if (items.Length < 2 || count < minCount)
            {
                continue;
            }

            for (var c = 0; c < items.Length; c++)
            {
                var antecedent = string.Join(',', items.Where((_, i) => i != c));
                if (count >= minConfidence * counts[antecedent])
                {
                    rules[items.Length - 1]++;
                }
            }
        }

        return rules;
    }

    private static IEnumerable<int[]> Subsets(int[] items, int maxSize)
    {
        var stack = new List<int>();
        return Walk(0);

        IEnumerable<int[]> Walk(int start)
        {
            for (var i = start; i < items.Length; i++)
            {
                stack.Add(items[i]);
                yield return [.. stack];
                if (stack.Count < maxSize)
                {
                    foreach (var deeper in Walk(i + 1))
                    {
                        yield return deeper;
                    }
                }

                stack.RemoveAt(stack.Count - 1);
            }
        }
    }
}
