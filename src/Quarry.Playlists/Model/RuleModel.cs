using System.Collections.Frozen;
using Quarry.Learn.Association;

namespace Quarry.Playlists.Model;

/// <summary>How the rules were mined, kept with the model so a reader knows what it serves.</summary>
/// <param name="MinSupportCount">Least number of playlists an itemset had to appear in.</param>
/// <param name="MinConfidence">Least confidence of a rule.</param>
/// <param name="MaxLength">Longest itemset mined.</param>
public sealed record MiningSettings(int MinSupportCount, double MinConfidence, int MaxLength);

/// <summary>What the model recommends for a list of songs.</summary>
/// <param name="Songs">Recommended songs, best first.</param>
/// <param name="Source"><c>rules</c> when association rules matched, <c>popular</c> when the most popular songs stood in.</param>
/// <param name="Unknown">Input songs the model has never seen.</param>
public sealed record Recommendation(IReadOnlyList<string> Songs, string Source, IReadOnlyList<string> Unknown);

/// <summary>An immutable playlist model: the songs, their popularity and the association rules indexed by antecedent.</summary>
public sealed class RuleModel
{
    private readonly FrozenDictionary<string, int> _ids;
    private readonly int[] _byPopularity;
    private readonly RuleTrie _trie;

    /// <summary>Builds the model and its indexes; the arrays become the model's own.</summary>
    public RuleModel(int transactionCount, string[] songs, int[] songSupport, IReadOnlyList<AssociationRule> rules, MiningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(songs);
        ArgumentNullException.ThrowIfNull(songSupport);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(settings);
        if (songs.Length != songSupport.Length)
        {
            throw new ArgumentException("Every song needs a support count.", nameof(songSupport));
        }

        TransactionCount = transactionCount;
        Songs = songs;
        SongSupport = songSupport;
        Rules = rules;
        Settings = settings;
        _ids = songs.Select((name, id) => KeyValuePair.Create(name, id)).ToFrozenDictionary(StringComparer.Ordinal);
        _byPopularity = Enumerable.Range(0, songs.Length)
            .OrderByDescending(id => songSupport[id])
            .ThenBy(id => songs[id], StringComparer.Ordinal)
            .ToArray();
        _trie = RuleTrie.Build(rules);
    }

    /// <summary>Number of playlists mined.</summary>
    public int TransactionCount { get; }

    /// <summary>Song names by id.</summary>
    public IReadOnlyList<string> Songs { get; }

    /// <summary>Number of playlists holding each song, by id.</summary>
    public IReadOnlyList<int> SongSupport { get; }

    /// <summary>The association rules.</summary>
    public IReadOnlyList<AssociationRule> Rules { get; }

    /// <summary>The mining settings the rules came from.</summary>
    public MiningSettings Settings { get; }

    /// <summary>
    /// Scores every song that a rule with an antecedent inside <paramref name="input"/> points to, by best confidence,
    /// then lift, then name; input songs are never recommended. With no matching rule, the most popular songs stand in.
    /// </summary>
    public Recommendation Recommend(IReadOnlyList<string> input, int limit)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        var known = new HashSet<int>();
        List<string>? unknown = null;
        foreach (var song in input)
        {
            if (_ids.TryGetValue(song, out var id))
            {
                known.Add(id);
            }
            else
            {
                (unknown ??= []).Add(song);
            }
        }

        var sorted = known.ToArray();
        Array.Sort(sorted);
        var board = new ScoreBoard(known);
        _trie.Match(sorted, board);

        IReadOnlyList<string> unknownSongs = unknown is null ? [] : unknown.Distinct(StringComparer.Ordinal).ToArray();
        if (board.Best.Count == 0)
        {
            return new Recommendation(Popular(known, limit), "popular", unknownSongs);
        }

        var ranked = board.Best
            .OrderByDescending(kv => kv.Value.Confidence)
            .ThenByDescending(kv => kv.Value.Lift)
            .ThenBy(kv => Songs[kv.Key], StringComparer.Ordinal)
            .Take(limit)
            .Select(kv => Songs[kv.Key])
            .ToArray();
        return new Recommendation(ranked, "rules", unknownSongs);
    }

    /// <summary>Songs whose name contains <paramref name="search"/> (any case), most popular first.</summary>
    public IReadOnlyList<(string Song, int Playlists)> SearchSongs(string? search, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var results = new List<(string, int)>(Math.Min(limit, _byPopularity.Length));
        foreach (var id in _byPopularity)
        {
            if (string.IsNullOrEmpty(search) || Songs[id].Contains(search, StringComparison.OrdinalIgnoreCase))
            {
                results.Add((Songs[id], SongSupport[id]));
                if (results.Count == limit)
                {
                    break;
                }
            }
        }

        return results;
    }

    private string[] Popular(HashSet<int> exclude, int limit) =>
        _byPopularity.Where(id => !exclude.Contains(id)).Take(limit).Select(id => Songs[id]).ToArray();
}
