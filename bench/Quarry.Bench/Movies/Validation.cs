using System.Diagnostics;
using System.Globalization;
using Quarry.Learn.Recommenders;

namespace Quarry.Bench.Movies;

/// <summary>Settings chosen on the validation splits.</summary>
internal sealed record ChosenSettings(float PlainLambda, EaseOptions Ease, int Neighbours, float Shrink);

/// <summary>
/// Chooses settings on validation splits carved from the training data only (the test items are never seen): λ first,
/// then one extra at a time (each with λ re-tuned by ×½, ×1, ×2), kept only when it beats the current best.
/// </summary>
internal static class Validation
{
    private const int Folds = 2;

    public static ChosenSettings Choose(InteractionMatrix train, EaseBenchOptions options)
    {
        var folds = Enumerable.Range(1, Folds).Select(f => HoldoutSplit.FromInteractions(train, options.Seed + f)).ToArray();
        Console.WriteLine($"validation: {Folds} splits (seeds {options.Seed + 1}..{options.Seed + Folds}) of the training positives; score = mean NDCG@10 + Recall@20");
        Console.WriteLine("| model | settings | Recall@20 | NDCG@10 | P@10 | train (s) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");

        var best = (Score: double.MinValue, Options: new EaseOptions(1f));
        foreach (var lambda in options.Lambdas)
        {
            Consider(ref best, new EaseOptions(lambda), folds);
        }

        var plainLambda = best.Options.Lambda;
        var extras = new (float[] Values, Func<EaseOptions, float, EaseOptions> With)[]
        {
            (options.Dropouts, (o, v) => o with { Dropout = v }),
            (options.UserExponents, (o, v) => o with { UserExponent = v }),
            (options.ItemExponents, (o, v) => o with { ItemExponent = v }),
            (options.PopularityExponents, (o, v) => o with { PopularityExponent = v }),
        };
        foreach (var (values, with) in extras)
        {
            var start = best.Options;
            foreach (var value in values)
            {
                foreach (var factor in new[] { 0.5f, 1f, 2f })
                {
                    Consider(ref best, with(start, value) with { Lambda = start.Lambda * factor }, folds);
                }
            }
        }

        var knn = (Score: double.MinValue, Neighbours: 0, Shrink: 0f);
        foreach (var neighbours in new[] { 50, 100, 200 })
        {
            foreach (var shrink in new[] { 0f, 10f, 50f })
            {
                var score = Run("ItemKNN", $"k={neighbours}, shrink={shrink}", folds, fold => ItemKnnModel.Train(fold.Train, neighbours, shrink));
                if (score > knn.Score)
                {
                    knn = (score, neighbours, shrink);
                }
            }
        }

        var chosen = new ChosenSettings(plainLambda, best.Options, knn.Neighbours, knn.Shrink);
        Console.WriteLine($"chosen: plain EASE λ={plainLambda}; EASE {Describe(best.Options)}; ItemKNN k={knn.Neighbours}, shrink={knn.Shrink}");
        return chosen;
    }

    public static string Describe(EaseOptions ease)
        => string.Create(CultureInfo.InvariantCulture,
            $"λ={ease.Lambda}, dropout {ease.Dropout}, user exp {ease.UserExponent}, item exp {ease.ItemExponent}, popularity exp {ease.PopularityExponent}");

    private static void Consider(ref (double Score, EaseOptions Options) best, EaseOptions candidate, HoldoutSplit[] folds)
    {
        var score = Run("EASE", Describe(candidate), folds, fold => EaseModel.Train(fold.Train, candidate));
        if (score > best.Score)
        {
            best = (score, candidate);
        }
    }

    private static double Run(string name, string settings, HoldoutSplit[] folds, Func<HoldoutSplit, IRecommender> train)
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

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {settings} | {recall:F4} | {ndcg:F4} | {precision:F4} | {seconds / folds.Length:F2} |"));
        return ndcg + recall;
    }
}
