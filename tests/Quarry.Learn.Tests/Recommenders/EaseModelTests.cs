using Quarry.Learn.Recommenders;
using Quarry.Learn.Tests.Linear;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class EaseModelTests
{
    [Theory]
    [InlineData(5f, 0f, 0f, 0f, 0f)]
    [InlineData(20f, 0.3f, 0f, 0f, 0f)]
    [InlineData(10f, 0.2f, 0.5f, 0f, 0f)]
    [InlineData(10f, 0.2f, 0.5f, 0.25f, -0.1f)]
    public void Weights_match_a_float64_solve(float lambda, float dropout, float userExponent, float itemExponent, float popularityExponent)
    {
        // Item 7 has no interactions: its row and column must be zero.
        var data = Synthetic.RandomBinary(60, 12, 0.3, seed: 4);
        var pairs = Enumerable.Range(0, data.Users).SelectMany(u => data.ItemsOf(u).ToArray().Where(i => i != 7).Select(i => (u, i))).ToList();
        data = InteractionMatrix.Create(data.Users, data.Items, pairs);
        var options = new EaseOptions(lambda, dropout, userExponent, itemExponent, popularityExponent);
        var model = EaseModel.Train(data, options);

        var expected = Reference(data, options);
        Assert.Equal(lambda, model.Lambda);
        for (var i = 0; i < 12; i++)
        {
            for (var j = 0; j < 12; j++)
            {
                Assert.Equal(expected[i * 12 + j], model.Weight(i, j), 1e-5);
            }
        }

        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(0f, model.Weight(i, i)));
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(0f, model.Weight(7, i)));
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(0f, model.Weight(i, 7)));
    }

    [Fact]
    public void Scores_are_sums_of_history_rows_and_weights_round_trip()
    {
        var data = Synthetic.RandomBinary(80, 20, 0.25, seed: 8);
        var model = EaseModel.Train(data, 10f);
        var scores = new float[20];
        model.Score([3, 11], scores);
        for (var j = 0; j < 20; j++)
        {
            Assert.Equal(model.Weight(3, j) + model.Weight(11, j), scores[j], 1e-6);
        }

        var loaded = EaseModel.FromWeights(20, 10f, model.Weights.ToArray());
        var again = new float[20];
        loaded.Score([3, 11], again);
        Assert.Equal(scores, again);
        Assert.Throws<ArgumentException>(() => EaseModel.FromWeights(20, 10f, new float[399]));
        Assert.Throws<ArgumentException>(() => model.Score([1], new float[19]));
    }

    [Fact]
    public void Ease_beats_most_popular_on_a_planted_taste_model()
    {
        var ratings = Synthetic.PlantedRatings(600, 240, 8, 25, seed: 11);
        var split = HoldoutSplit.Create(ratings, 600, 240, seed: 42);
        var ct = TestContext.Current.CancellationToken;

        var ease = Evaluator.Evaluate(EaseModel.Train(split.Train, 50f, ct: ct), split, ct: ct);
        var knn = Evaluator.Evaluate(ItemKnnModel.Train(split.Train, 50, 5f, ct: ct), split, ct: ct);
        var popular = Evaluator.Evaluate(new MostPopular(split.Train), split, ct: ct);

        Assert.True(ease.UsersEvaluated > 500);
        Assert.True(ease.NdcgAt10 > popular.NdcgAt10 * 1.5, $"EASE {ease} vs MostPop {popular}");
        Assert.True(ease.RecallAt20 > popular.RecallAt20 * 1.5, $"EASE {ease} vs MostPop {popular}");
        Assert.True(knn.NdcgAt10 > popular.NdcgAt10 * 1.3, $"ItemKNN {knn} vs MostPop {popular}");
    }

    [Fact]
    public void Progress_is_reported_and_bad_options_are_rejected()
    {
        var data = Synthetic.RandomBinary(30, 10, 0.3, seed: 1);
        var reports = new List<double>();
        EaseModel.Train(data, 5f, new SyncProgress(reports.Add));
        Assert.Equal(1.0, reports[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => EaseModel.Train(data, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => EaseModel.Train(data, new EaseOptions(1f, Dropout: 1f)));
    }

    /// <summary>B = S·(I − P·diag(1/diag P))·T, P = (G + λI + ρ·diag G)⁻¹ over the items with interactions, in float64.</summary>
    private static double[] Reference(InteractionMatrix data, EaseOptions options)
    {
        var (lambda, dropout, userExponent) = (options.Lambda, options.Dropout, options.UserExponent);
        var n = data.Items;
        var counts = data.ItemCounts();
        var active = counts.Select((c, i) => (c, i)).Where(p => p.c > 0).Select(p => p.i).ToArray();
        var m = active.Length;
        var norm = Math.Sqrt(active.Sum(i => (double)counts[i]) / active.Sum(i => Math.Pow(counts[i], 1 - (2.0 * options.ItemExponent))));
        var s = active.Select(i => norm * Math.Pow(counts[i], -options.ItemExponent)).ToArray();
        var t = active.Select(i => Math.Pow(counts[i], options.ItemExponent + options.PopularityExponent) / norm).ToArray();
        var lengths = Enumerable.Range(0, data.Users).Select(u => (double)data.ItemsOf(u).Length).ToArray();
        var scale = lengths.Sum() / lengths.Sum(l => l * Math.Pow(Math.Max(l, 1), -userExponent));
        var g = new double[m * m];
        for (var u = 0; u < data.Users; u++)
        {
            var w = scale * Math.Pow(Math.Max(lengths[u], 1), -userExponent);
            foreach (var i in data.ItemsOf(u))
            {
                foreach (var j in data.ItemsOf(u))
                {
                    var (a, c) = (Array.IndexOf(active, i), Array.IndexOf(active, j));
                    g[a * m + c] += w * s[a] * s[c];
                }
            }
        }

        for (var a = 0; a < m; a++)
        {
            g[a * m + a] = (g[a * m + a] * (1 + (dropout / (1 - dropout)))) + lambda;
        }

        var p = Dense.Inverse(g, m);
        var b = new double[n * n];
        for (var a = 0; a < m; a++)
        {
            for (var c = 0; c < m; c++)
            {
                b[active[a] * n + active[c]] = a == c ? 0 : s[a] * (-p[a * m + c] / p[c * m + c]) * t[c];
            }
        }

        return b;
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
