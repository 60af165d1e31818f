using System.Collections.Frozen;
using Quarry.Learn.Association;

namespace Quarry.Playlists.Model;

/// <summary>
/// Rules indexed by antecedent in a prefix tree over sorted song ids. Matching walks only the branches whose
/// prefix is contained in the input, so its cost follows the rules that can apply, not the number of rules.
/// </summary>
internal sealed class RuleTrie
{
    private readonly FrozenDictionary<long, int> _edges;
    private readonly int[] _ruleStart;
    private readonly int[] _ruleEnd;
    private readonly int[] _consequent;
    private readonly double[] _confidence;
    private readonly double[] _lift;

    private RuleTrie(FrozenDictionary<long, int> edges, int[] ruleStart, int[] ruleEnd, int[] consequent, double[] confidence, double[] lift)
    {
        _edges = edges;
        _ruleStart = ruleStart;
        _ruleEnd = ruleEnd;
        _consequent = consequent;
        _confidence = confidence;
        _lift = lift;
    }

    public int NodeCount => _ruleStart.Length;

    public static RuleTrie Build(IReadOnlyList<AssociationRule> rules)
    {
        var order = Enumerable.Range(0, rules.Count).ToArray();
        Array.Sort(order, (a, b) => CompareAntecedents(rules[a].Antecedent, rules[b].Antecedent));

        var edges = new Dictionary<long, int>();
        var nodeOfRule = new int[rules.Count];
        var nodes = 1;
        for (var r = 0; r < order.Length; r++)
        {
            var node = 0;
            foreach (var item in rules[order[r]].Antecedent)
            {
                var key = Key(node, item);
                if (!edges.TryGetValue(key, out var child))
                {
                    child = nodes++;
                    edges.Add(key, child);
                }

                node = child;
            }

            nodeOfRule[r] = node;
        }

        // Rules sharing an antecedent are adjacent after the sort, so each node owns one contiguous range.
        var start = new int[nodes];
        var end = new int[nodes];
        var consequent = new int[order.Length];
        var confidence = new double[order.Length];
        var lift = new double[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            var rule = rules[order[r]];
            var node = nodeOfRule[r];
            if (end[node] == 0)
            {
                start[node] = r;
            }

            end[node] = r + 1;
            consequent[r] = rule.Consequent;
            confidence[r] = rule.Confidence;
            lift[r] = rule.Lift;
        }

        return new RuleTrie(edges.ToFrozenDictionary(), start, end, consequent, confidence, lift);
    }

    /// <summary>Offers <paramref name="board"/> every rule whose antecedent is a subset of <paramref name="sortedInput"/>.</summary>
    public void Match(ReadOnlySpan<int> sortedInput, ScoreBoard board) => Walk(0, sortedInput, board);

    private void Walk(int node, ReadOnlySpan<int> rest, ScoreBoard board)
    {
        for (var i = 0; i < rest.Length; i++)
        {
            if (!_edges.TryGetValue(Key(node, rest[i]), out var child))
            {
                continue;
            }

            for (var r = _ruleStart[child]; r < _ruleEnd[child]; r++)
            {
                board.Offer(_consequent[r], _confidence[r], _lift[r]);
            }

            Walk(child, rest[(i + 1)..], board);
        }
    }

    private static long Key(int node, int item) => ((long)node << 32) | (uint)item;

    private static int CompareAntecedents(int[] a, int[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}

/// <summary>The best rule seen so far for each candidate song: highest confidence, then highest lift.</summary>
internal sealed class ScoreBoard(HashSet<int> exclude)
{
    public Dictionary<int, (double Confidence, double Lift)> Best { get; } = [];

    public void Offer(int song, double confidence, double lift)
    {
        if (exclude.Contains(song))
        {
            return;
        }

        if (!Best.TryGetValue(song, out var current)
            || confidence > current.Confidence
            || (confidence == current.Confidence && lift > current.Lift))
        {
            Best[song] = (confidence, lift);
        }
    }
}
