using Quarry.Learn.Association;
using Quarry.Playlists.Model;

namespace Quarry.Playlists.Tests.Model;

public sealed class RuleModelTests
{
    private static readonly string[] Names = ["a", "b", "c", "d", "e", "f"];

    private static RuleModel Model(params AssociationRule[] rules) =>
        new(100, (string[])Names.Clone(), [50, 40, 30, 20, 10, 60], rules, new MiningSettings(5, 0.5, 8));

    private static AssociationRule Rule(int[] antecedent, int consequent, double confidence, double lift) =>
        new(antecedent, consequent, 10, confidence, lift);

    [Fact]
    public void Ranks_by_confidence_then_lift_then_name_and_excludes_the_input()
    {
        var model = Model(
            Rule([0], 2, 0.8, 1.5),
            Rule([0], 3, 0.9, 1.1),
            Rule([0], 4, 0.8, 2.0),
            Rule([0], 1, 0.99, 9), // the consequent is in the input
            Rule([1], 5, 0.8, 2.0));
        var result = model.Recommend(["a", "b"], 10);
        Assert.Equal("rules", result.Source);
        Assert.Equal(["d", "e", "f", "c"], result.Songs); // e and f tie on (0.8, 2.0): name decides
    }

    [Fact]
    public void A_song_scores_by_its_best_rule()
    {
        var model = Model(Rule([0], 2, 0.6, 5), Rule([0, 1], 2, 0.95, 1.2), Rule([1], 3, 0.9, 1));
        Assert.Equal(["c", "d"], model.Recommend(["a", "b"], 10).Songs);
        Assert.Equal(["c"], model.Recommend(["a"], 10).Songs); // the {a,b} rule needs b too
    }

    [Fact]
    public void Only_rules_whose_whole_antecedent_is_in_the_input_apply()
    {
        var model = Model(Rule([0, 1, 2], 3, 0.9, 1));
        Assert.Equal("popular", model.Recommend(["a", "b"], 3).Source);
        Assert.Equal(["d"], model.Recommend(["c", "a", "b", "x"], 3).Songs);
    }

    [Fact]
    public void No_matching_rule_falls_back_to_popular_songs_not_in_the_input()
    {
        var model = Model(Rule([0], 1, 0.9, 1));
        var result = model.Recommend(["f", "unknown song"], 3);
        Assert.Equal("popular", result.Source);
        Assert.Equal(["a", "b", "c"], result.Songs);
        Assert.Equal(["unknown song"], result.Unknown);
    }

    [Fact]
    public void Limit_caps_the_answer()
    {
        var model = Model(Rule([0], 1, 0.9, 1), Rule([0], 2, 0.8, 1), Rule([0], 3, 0.7, 1));
        Assert.Equal(["b", "c"], model.Recommend(["a"], 2).Songs);
    }

    [Fact]
    public void Search_is_case_insensitive_and_most_popular_first()
    {
        var model = new RuleModel(10, ["Blue Moon", "moonlight", "Sun"], [1, 5, 9], [], new MiningSettings(1, 0.5, 8));
        Assert.Equal(["moonlight", "Blue Moon"], model.SearchSongs("MOON", 10).Select(s => s.Song));
        Assert.Equal(["Sun"], model.SearchSongs(null, 1).Select(s => s.Song));
    }

    [Fact]
    public void Index_matches_a_scan_of_every_rule_on_random_models()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var songs = Enumerable.Range(0, 12).Select(i => $"s{i:D2}").ToArray();
            var rules = new List<AssociationRule>();
            for (var r = random.Next(0, 60); r > 0; r--)
            {
                var antecedent = Enumerable.Range(0, 12).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Order().ToArray();
                var consequent = Enumerable.Range(0, 12).Except(antecedent).OrderBy(_ => random.Next()).First();
                rules.Add(new AssociationRule(antecedent, consequent, 1, Math.Round(random.NextDouble(), 2) + 0.001, Math.Round(random.NextDouble() * 3, 1) + 0.1));
            }

            var model = new RuleModel(100, songs, songs.Select((_, i) => 100 - i).ToArray(), rules, new MiningSettings(1, 0, 4));
            var input = Enumerable.Range(0, 12).OrderBy(_ => random.Next()).Take(random.Next(0, 7)).ToArray();

            var expected = rules
                .Where(r => r.Antecedent.All(input.Contains) && !input.Contains(r.Consequent))
                .GroupBy(r => r.Consequent)
                .Select(g => g.OrderByDescending(r => r.Confidence).ThenByDescending(r => r.Lift).First())
                .OrderByDescending(r => r.Confidence).ThenByDescending(r => r.Lift).ThenBy(r => songs[r.Consequent], StringComparer.Ordinal)
                .Take(5)
                .Select(r => songs[r.Consequent])
                .ToArray();
            var actual = model.Recommend(input.Select(i => songs[i]).ToArray(), 5);
            if (expected.Length > 0)
            {
                Assert.Equal(expected, actual.Songs);
            }
            else
            {
                Assert.Equal("popular", actual.Source);
            }
        }
    }
}
