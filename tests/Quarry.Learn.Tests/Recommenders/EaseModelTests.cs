using Quarry.Learn.Recommenders;
using Quarry.Learn.Tests.Linear;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class EaseModelTests
{
    [Theory]
    [InlineData(5f, 0f, 0f, 0f, 0f, 0f, 0, 0f)]
    [InlineData(20f, 0.3f, 0f, 0f, 0f, 0f, 0, 0f)]
    [InlineData(10f, 0.2f, 0.5f, 0f, 0f, 0f, 0, 0f)]
    [InlineData(10f, 0.2f, 0.5f, 0.25f, -0.1f, 0f, 0, 0f)]
    [InlineData(10f, 0.25f, 0.5f, 0f, -0.1f, 0.25f, 0, 0f)]
    [InlineData(10f, 0.2f, 0.5f, 0.25f, -0.1f, 0.4f, 0, 0f)]
    [InlineData(10f, 0f, 0f, 0f, 0f, 0f, 3, 0.3f)]
    [InlineData(10f, 0.25f, 0.5f, 0.25f, -0.1f, 0.25f, 2, 0.5f)]
    [InlineData(10f, 0.25f, 0.5f, 0f, -0.1f, 0.25f, 40, 0.2f)]
    public void Weights_match_a_float64_solve(
        float lambda, float dropout, float userExponent, float itemExponent, float popularityExponent, float diagonalBound, int lowRank, float lowRankWeight)
    {
        // Item 7 has no interactions: its row and column must be zero. Items 3 and 9 are rare, so λ dominates their diagonal.
        var data = Synthetic.RandomBinary(60, 12, 0.3, seed: 4);
        var pairs = Enumerable.Range(0, data.Users)
            .SelectMany(u => data.ItemsOf(u).ToArray().Where(i => i != 7 && (i != 3 || u % 10 == 0) && (i != 9 || u % 15 == 0)).Select(i => (u, i)))
            .ToList();
        data = InteractionMatrix.Create(data.Users, data.Items, pairs);
        var options = new EaseOptions(lambda, dropout, userExponent, itemExponent, popularityExponent, diagonalBound, lowRank, lowRankWeight);
        var model = EaseModel.Train(data, options);

        var (expected, bounded) = Reference(data, options);
        if (diagonalBound > 0f)
        {
            // Both branches of γ_j = max(Λ_jj, (1 − ξ)/P_jj) must be exercised, or the case proves little.
            Assert.InRange(bounded, 1, 10);
        }

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
    public void Low_rank_term_matches_a_float64_eigendecomposition_when_the_block_is_smaller_than_the_catalogue()
    {
        // 64 items in 4 taste clusters: the top eigenvectors are found by iterating a block of 36 columns, not by one full solve.
        var ratings = Synthetic.PlantedRatings(300, 64, 4, 12, seed: 5);
        var data = InteractionMatrix.Create(300, 64, ratings.Where(r => r.Value >= 4f).Select(r => (r.User, r.Item)).ToList());
        var options = new EaseOptions(20f, Dropout: 0.25f, UserExponent: 0.5f, PopularityExponent: -0.1f, DiagonalBound: 0.25f, LowRank: 4, LowRankWeight: 0.4f);
        var model = EaseModel.Train(data, options);
        var plain = EaseModel.Train(data, options with { LowRank = 0 });

        var (expected, _) = Reference(data, options);
        var largest = expected.Max(Math.Abs);
        var moved = 0;
        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < 64; j++)
            {
                Assert.Equal(expected[i * 64 + j], model.Weight(i, j), 2e-5 * largest);
                moved += Math.Abs(model.Weight(i, j) - plain.Weight(i, j)) > 0.01 * largest ? 1 : 0;
            }
        }

        // The term must matter, or matching the reference proves little.
        Assert.True(moved > 500, $"only {moved} weights moved");
    }

    [Fact]
    public void Without_a_low_rank_weight_or_rank_the_weights_are_bit_identical()
    {
        var data = Synthetic.RandomBinary(80, 30, 0.25, seed: 2);
        var options = new EaseOptions(10f, Dropout: 0.25f, UserExponent: 0.5f, PopularityExponent: -0.1f, DiagonalBound: 0.25f);
        var reference = EaseModel.Train(data, options).Weights.ToArray();

        Assert.Equal(reference, EaseModel.Train(data, options with { LowRank = 8 }).Weights.ToArray());
        Assert.Equal(reference, EaseModel.Train(data, options with { LowRankWeight = 0.5f }).Weights.ToArray());
        Assert.NotEqual(reference, EaseModel.Train(data, options with { LowRank = 8, LowRankWeight = 0.5f }).Weights.ToArray());
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
        Assert.Throws<ArgumentOutOfRangeException>(() => EaseModel.Train(data, new EaseOptions(1f, DiagonalBound: 1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => EaseModel.Train(data, new EaseOptions(1f, DiagonalBound: -0.1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => EaseModel.Train(data, new EaseOptions(1f, LowRank: -1, LowRankWeight: 0.3f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => EaseModel.Train(data, new EaseOptions(1f, LowRank: 4, LowRankWeight: float.NaN)));

        reports.Clear();
        EaseModel.Train(data, new EaseOptions(5f, LowRank: 4, LowRankWeight: 0.3f), new SyncProgress(reports.Add));
        Assert.Equal(1.0, reports[^1]);
        Assert.Equal(reports.Order(), reports);
    }

    /// <summary>
    /// B = S·(I − P·diag(γ))·T, P = (G + Λ)⁻¹, Λ = λI + ρ·diag G over the items with interactions, in float64, with γ_j = 1/P_jj
    /// or, for a diagonal bound ξ, the RDLAE multiplier max(Λ_jj, (1 − ξ)/P_jj) found by checking the KKT conditions directly;
    /// plus α·c_i^(−½)·(V·Vᵀ)_ij·c_j^(½ + popularity exponent) with V the top eigenvectors of GF-CF's normalised Gram matrix.
    /// Also returns how many of the m active columns have the bound diag(B̃)_jj ≤ ξ active (γ_j = (1 − ξ)/P_jj).
    /// </summary>
    private static (double[] Weights, int Bounded) Reference(InteractionMatrix data, EaseOptions options)
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

        var penalty = new double[m];
        for (var a = 0; a < m; a++)
        {
            penalty[a] = (g[a * m + a] * (dropout / (1 - dropout))) + lambda;
            g[a * m + a] += penalty[a];
        }

        var p = Dense.Inverse(g, m);
        var gamma = new double[m];
        var bounded = 0;
        for (var c = 0; c < m; c++)
        {
            // B̃ = I − P·diag(γ) minimises the penalised loss under diag(B̃) ≤ ξ when γ = Λ + μ with μ ≥ 0 and μ_j > 0 only
            // where the bound holds with equality (1 − P_jj·γ_j = ξ); with ξ = 0 the bound is always active (EASE, EDLAE).
            var free = 1 - (p[c * m + c] * penalty[c]);
            var bound = (double)options.DiagonalBound;
            gamma[c] = free > bound ? (1 - bound) / p[c * m + c] : penalty[c];
            bounded += free > bound ? 1 : 0;
        }

        var low = LowPass(data, active, counts, options.LowRankWeight == 0 ? 0 : options.LowRank);
        var b = new double[n * n];
        for (var a = 0; a < m; a++)
        {
            for (var c = 0; c < m; c++)
            {
                var lowPass = options.LowRankWeight * low[a * m + c] * Math.Pow(counts[active[c]], options.PopularityExponent);
                b[active[a] * n + active[c]] = a == c ? 0 : (s[a] * (-p[a * m + c] * gamma[c]) * t[c]) + lowPass;
            }
        }

        return (b, bounded);
    }

    /// <summary>
    /// D^(−½)·V·Vᵀ·D^(½) over the active items, V the top <paramref name="rank"/> eigenvectors (non-zero eigenvalues only) of
    /// D^(−½)·Xᵀ·diag(1/|items of u|)·X·D^(−½), D the item counts, by a float64 Jacobi solve; all zero when the rank is 0.
    /// </summary>
    private static double[] LowPass(InteractionMatrix data, int[] active, int[] counts, int rank)
    {
        var m = active.Length;
        var result = new double[m * m];
        if (rank == 0)
        {
            return result;
        }

        var g = new double[m * m];
        for (var u = 0; u < data.Users; u++)
        {
            var items = data.ItemsOf(u).ToArray();
            foreach (var i in items)
            {
                foreach (var j in items)
                {
                    var (a, c) = (Array.IndexOf(active, i), Array.IndexOf(active, j));
                    g[a * m + c] += 1.0 / items.Length / Math.Sqrt((double)counts[i] * counts[j]);
                }
            }
        }

        var (values, vectors) = Dense.Eigen(g, m);
        var kept = Enumerable.Range(0, Math.Min(rank, m)).Count(p => values[p] > 1e-6 * values[0]);
        for (var a = 0; a < m; a++)
        {
            for (var c = 0; c < m; c++)
            {
                var sum = 0.0;
                for (var p = 0; p < kept; p++)
                {
                    sum += vectors[a * m + p] * vectors[c * m + p];
                }

                result[a * m + c] = sum * Math.Sqrt((double)counts[active[c]] / counts[active[a]]);
            }
        }

        return result;
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
