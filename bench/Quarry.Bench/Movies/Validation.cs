using System.Diagnostics;
using System.Globalization;
using Quarry.Learn.Recommenders;

namespace Quarry.Bench.Movies;

/// <summary>Settings chosen on the validation splits.</summary>
internal sealed record ChosenSettings(float PlainLambda, EaseOptions Ease, int Neighbours, float Shrink);

/// <summary>
/// Chooses settings on validation splits carved from the training data only (the test items are never seen): λ first,
/// then one extra at a time (each with λ re-tuned by ×½, ×1, ×2), the GF-CF low-rank term last (rank × weight, same λ
/// re-tuning), then a finer coordinate ascent around the best; a change is kept only when it beats the current best mean score.
/// </summary>
internal static class Validation
{
    /// <summary>Most rounds of the fine pass; it stops earlier when a round changes nothing.</summary>
    private const int FineRounds = 3;

    /// <summary>The fine pass: for each coordinate in turn, the neighbours of the current best.</summary>
    private static readonly Func<EaseOptions, IEnumerable<EaseOptions>>[] FineSteps =
    [
        o => new[] { 0.75f, 1.25f, 1.5f }.Select(f => o with { Lambda = MathF.Round(o.Lambda * f, 2) }),
        o => Steps(o.Dropout, [-0.1f, -0.05f, 0.05f, 0.1f], 0f, 0.9f).Select(v => o with { Dropout = v }),
        o => Steps(o.UserExponent, [-0.125f, 0.125f], 0f, 2f).Select(v => o with { UserExponent = v }),
        o => Steps(o.ItemExponent, [-0.0625f, 0.0625f], 0f, 1f).Select(v => o with { ItemExponent = v }),
        o => Steps(o.PopularityExponent, [-0.05f, 0.05f], -1f, 1f).Select(v => o with { PopularityExponent = v }),
        o => Steps(o.DiagonalBound, [-0.05f, 0.05f], 0f, 0.5f).Select(v => o with { DiagonalBound = v }),
        o => o.LowRank == 0 ? [] : Steps(o.LowRankWeight, [-0.05f, 0.05f], 0.01f, 2f).Select(v => o with { LowRankWeight = v }),
        o => o.LowRank == 0 ? [] : new[] { o.LowRank * 3 / 4, o.LowRank * 3 / 2 }.Select(k => o with { LowRank = k }),
    ];

    public static ChosenSettings Choose(InteractionMatrix train, EaseBenchOptions options)
    {
        var folds = Enumerable.Range(1, options.Folds).Select(f => HoldoutSplit.FromInteractions(train, options.Seed + f)).ToArray();
        Console.WriteLine($"validation: {options.Folds} splits (seeds {options.Seed + 1}..{options.Seed + options.Folds}) of the training positives; score = mean NDCG@10 + Recall@20");
        Console.WriteLine("| model | settings | Recall@20 | NDCG@10 | P@10 | train (s) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");

        var search = new Search(folds);
        foreach (var lambda in options.Lambdas)
        {
            search.Consider(new EaseOptions(lambda));
        }

        var plainLambda = search.Best.Lambda;
        var extras = new (float[] Values, Func<EaseOptions, float, EaseOptions> With)[]
        {
            (options.Dropouts, (o, v) => o with { Dropout = v }),
            (options.UserExponents, (o, v) => o with { UserExponent = v }),
            (options.ItemExponents, (o, v) => o with { ItemExponent = v }),
            (options.PopularityExponents, (o, v) => o with { PopularityExponent = v }),
            (options.DiagonalBounds, (o, v) => o with { DiagonalBound = v }),
        };
        foreach (var (values, with) in extras)
        {
            var start = search.Best;
            foreach (var value in values)
            {
                foreach (var factor in new[] { 0.5f, 1f, 2f })
                {
                    search.Consider(with(start, value) with { Lambda = start.Lambda * factor });
                }
            }
        }

        search.Print("best before the low-rank term");
        var withoutLowRank = search.Best;
        foreach (var rank in options.LowRanks)
        {
            foreach (var weight in options.LowRankWeights)
            {
                foreach (var factor in new[] { 0.5f, 1f, 2f })
                {
                    search.Consider(withoutLowRank with { LowRank = rank, LowRankWeight = weight, Lambda = withoutLowRank.Lambda * factor });
                }
            }
        }

        search.Print("best after the coarse pass");
        for (var round = 1; round <= FineRounds; round++)
        {
            var before = search.BestScore;
            foreach (var step in FineSteps)
            {
                foreach (var candidate in step(search.Best).ToArray())
                {
                    search.Consider(candidate);
                }
            }

            search.Print($"best after fine round {round}");
            if (search.BestScore <= before)
            {
                break;
            }
        }

        var knn = (Score: double.MinValue, Neighbours: 0, Shrink: 0f);
        foreach (var neighbours in new[] { 50, 100, 200 })
        {
            foreach (var shrink in new[] { 0f, 10f, 50f })
            {
                var score = Run("ItemKNN", $"k={neighbours}, shrink={shrink}", folds, fold => ItemKnnModel.Train(fold.Train, neighbours, shrink)).Score;
                if (score > knn.Score)
                {
                    knn = (score, neighbours, shrink);
                }
            }
        }

        var chosen = new ChosenSettings(plainLambda, search.Best, knn.Neighbours, knn.Shrink);
        Console.WriteLine($"chosen: plain EASE λ={plainLambda}; EASE {Describe(search.Best)} ({search.Evaluated} EASE configurations); ItemKNN k={knn.Neighbours}, shrink={knn.Shrink}");
        return chosen;
    }

    public static string Describe(EaseOptions ease)
        => string.Create(CultureInfo.InvariantCulture,
            $"λ={ease.Lambda}, dropout {ease.Dropout}, user exp {ease.UserExponent}, item exp {ease.ItemExponent}, popularity exp {ease.PopularityExponent}, diagonal bound {ease.DiagonalBound}{(ease.LowRank > 0 && ease.LowRankWeight != 0f ? $", low rank {ease.LowRank} × {ease.LowRankWeight}" : "")}");

    /// <summary><paramref name="value"/> plus each offset, rounded to 4 decimals, within [min, max].</summary>
    private static IEnumerable<float> Steps(float value, float[] offsets, float min, float max)
        => offsets.Select(d => MathF.Round(value + d, 4)).Where(v => v >= min && v <= max);

    private static Mean Run(string name, string settings, HoldoutSplit[] folds, Func<HoldoutSplit, IRecommender> train)
    {
        double recall = 0, ndcg = 0, precision = 0, seconds = 0;
        foreach (var fold in folds)
        {
            var clock = Stopwatch.StartNew();
            var model = train(fold);
            seconds += clock.Elapsed.TotalSeconds;
            var quality = Evaluator.Evaluate(model, fold);
            recall += quality.RecallAt20 / folds.Length;
            ndcg += quality.NdcgAt10 / folds.Length;
            precision += quality.PrecisionAt10 / folds.Length;
        }

        var mean = new Mean(recall, ndcg, precision, seconds / folds.Length);
        Print(name, settings, mean);
        return mean;
    }

    private static void Print(string name, string settings, Mean mean)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {settings} | {mean.RecallAt20:F4} | {mean.NdcgAt10:F4} | {mean.PrecisionAt10:F4} | {mean.Seconds:F2} |"));

    /// <summary>Metrics averaged over the folds, and mean training seconds per fold.</summary>
    private sealed record Mean(double RecallAt20, double NdcgAt10, double PrecisionAt10, double Seconds)
    {
        /// <summary>What the search maximises.</summary>
        public double Score => NdcgAt10 + RecallAt20;
    }

    /// <summary>The best EASE configuration so far; each configuration is scored on the folds at most once.</summary>
    private sealed class Search(HoldoutSplit[] folds)
    {
        private readonly Dictionary<EaseOptions, Mean> _results = [];
        private Mean _best = new(double.NegativeInfinity, 0, 0, 0);

        public EaseOptions Best { get; private set; } = new(1f);

        public double BestScore => _best.Score;

        public int Evaluated => _results.Count;

        public void Consider(EaseOptions candidate)
        {
            if (!_results.TryGetValue(candidate, out var result))
            {
                result = Run("EASE", Describe(candidate), folds, fold => EaseModel.Train(fold.Train, candidate));
                _results[candidate] = result;
            }

            if (result.Score > _best.Score)
            {
                (Best, _best) = (candidate, result);
            }
        }

        public void Print(string label)
            => Validation.Print($"**{label}** (score {BestScore.ToString("F4", CultureInfo.InvariantCulture)})", Describe(Best), _best);
    }
}
