namespace Quarry.Learn.Recommenders;

/// <summary>Averaged ranking metrics over the evaluated users.</summary>
public sealed record RankingQuality(double RecallAt20, double NdcgAt10, double PrecisionAt10, int UsersEvaluated);

/// <summary>Runs the offline protocol: rank all items except the user's training items, then Recall@20, NDCG@10, Precision@10.</summary>
public static class Evaluator
{
    /// <summary>Scores every user with held-out items and averages the metrics over them.</summary>
    public static RankingQuality Evaluate(IRecommender model, HoldoutSplit split, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        if (model.Items != split.Train.Items)
        {
            throw new ArgumentException($"model scores {model.Items} items but the split has {split.Train.Items}", nameof(model));
        }

        var scores = new float[model.Items];
        double recall = 0, ndcg = 0, precision = 0;
        var users = split.HeldOut.Keys.Order().ToArray();
        for (var index = 0; index < users.Length; index++)
        {
            ct.ThrowIfCancellationRequested();
            var history = split.Train.ItemsOf(users[index]);
            model.Score(history, scores);
            var ranked = TopK.Select(scores, 20, history);
            var metrics = Measure(ranked, split.HeldOut[users[index]]);
            recall += metrics.Recall;
            ndcg += metrics.Ndcg;
            precision += metrics.Precision;
            progress?.Report((double)(index + 1) / users.Length);
        }

        var count = Math.Max(users.Length, 1);
        return new RankingQuality(recall / count, ndcg / count, precision / count, users.Length);
    }

    /// <summary>Recall@20, NDCG@10 (binary relevance) and Precision@10 of one ranked list against its held-out items (sorted).</summary>
    internal static (double Recall, double Ndcg, double Precision) Measure(ReadOnlySpan<int> ranked, int[] heldOut)
    {
        int hits20 = 0, hits10 = 0;
        double dcg = 0;
        for (var rank = 0; rank < Math.Min(20, ranked.Length); rank++)
        {
            if (Array.BinarySearch(heldOut, ranked[rank]) < 0)
            {
                continue;
            }

            hits20++;
            if (rank < 10)
            {
                hits10++;
                dcg += 1.0 / Math.Log2(rank + 2);
            }
        }

        double idcg = 0;
        for (var rank = 0; rank < Math.Min(10, heldOut.Length); rank++)
        {
            idcg += 1.0 / Math.Log2(rank + 2);
        }

        var recall = heldOut.Length == 0 ? 0 : (double)hits20 / Math.Min(20, heldOut.Length);
        return (recall, idcg == 0 ? 0 : dcg / idcg, hits10 / 10.0);
    }
}
