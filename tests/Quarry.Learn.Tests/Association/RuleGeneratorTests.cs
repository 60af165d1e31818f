using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

public sealed class RuleGeneratorTests
{
    [Fact]
    public void Rules_match_brute_force_on_random_databases()
    {
        var random = new Random(4242);
        for (var round = 0; round < 150; round++)
        {
            var transactions = BruteForce.RandomTransactions(random, out var itemCount);
            var distinct = transactions.Select(t => t.Distinct().ToArray()).ToList();
            var minSupport = random.Next(1, Math.Max(2, transactions.Count / 3));
            var minConfidence = random.NextDouble();
            var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(minSupport), cancellationToken: TestContext.Current.CancellationToken);

            var rules = RuleGenerator.Generate(mined, minConfidence, TestContext.Current.CancellationToken);

            var expected = ExpectedRules(distinct, itemCount, minSupport, minConfidence);
            var actual = rules.ToDictionary(r => BruteForce.Key(r.Antecedent) + "->" + r.Consequent);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (key, (support, confidence, lift)) in expected)
            {
                var rule = actual[key];
                Assert.Equal(support, rule.Support);
                Assert.Equal(confidence, rule.Confidence, 12);
                Assert.Equal(lift, rule.Lift, 12);
            }
        }
    }

    [Fact]
    public void Known_example_gives_the_textbook_figures()
    {
        int[][] transactions = [[0, 1], [0, 1], [0, 2], [1, 2]];
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(2), cancellationToken: TestContext.Current.CancellationToken);

        var rule = Assert.Single(RuleGenerator.Generate(mined, 0.6, TestContext.Current.CancellationToken), r => r.Consequent == 1);

        // sup({0,1}) = 2, sup({0}) = 3, sup({1}) = 3, N = 4: confidence 2/3, lift (2/3)/(3/4).
        Assert.Equal([0], rule.Antecedent);
        Assert.Equal(2, rule.Support);
        Assert.Equal(2.0 / 3, rule.Confidence, 12);
        Assert.Equal(8.0 / 9, rule.Lift, 12);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Confidence_outside_unit_interval_is_rejected(double minConfidence)
    {
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create([[0, 1]]), new MiningOptions(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleGenerator.Generate(mined, minConfidence, TestContext.Current.CancellationToken));
    }

    private static Dictionary<string, (int Support, double Confidence, double Lift)> ExpectedRules(List<int[]> transactions, int itemCount, int minSupport, double minConfidence)
    {
        var expected = new Dictionary<string, (int, double, double)>();
        foreach (var (key, support) in BruteForce.FrequentItemsets(transactions, itemCount, minSupport, int.MaxValue))
        {
            var items = key.Split(',').Select(int.Parse).ToArray();
            if (items.Length < 2)
            {
                continue;
            }

            foreach (var consequent in items)
            {
                var antecedent = items.Where(i => i != consequent).ToArray();
                var confidence = (double)support / BruteForce.Support(transactions, antecedent);
                if (confidence >= minConfidence)
                {
                    var lift = confidence / ((double)BruteForce.Support(transactions, [consequent]) / transactions.Count);
                    expected[BruteForce.Key(antecedent) + "->" + consequent] = (support, confidence, lift);
                }
            }
        }

        return expected;
    }
}
