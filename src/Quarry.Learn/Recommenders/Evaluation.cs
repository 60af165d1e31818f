namespace Quarry.Learn.Recommenders;

/// <summary>One explicit rating of an item by a user (dense indices).</summary>
public sealed record Rating(int User, int Item, float Value);

/// <summary>Averaged ranking metrics over the evaluated users.</summary>
public sealed record RankingQuality(double RecallAt20, double NdcgAt10, double PrecisionAt10, int UsersEvaluated);

/// <summary>
/// The offline split: ratings ≥ the threshold are positives, the rest are dropped; each user with at least
/// <c>minPositives</c> positives has a seeded random fraction of them (rounded, at least one) held out.
/// </summary>
public sealed record HoldoutSplit(InteractionMatrix Train, IReadOnlyDictionary<int, int[]> HeldOut)
{
    /// <summary>Splits explicit ratings; the result depends only on the set of ratings and the seed, not their order.</summary>
    public static HoldoutSplit Create(IReadOnlyList<Rating> ratings, int users, int items, int seed, float positiveThreshold = 4f, double holdoutFraction = 0.2, int minPositives = 5)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var positives = new List<(int User, int Item)>();
        foreach (var rating in ratings)
        {
            if (rating.Value >= positiveThreshold)
            {
                positives.Add((rating.User, rating.Item));
            }
        }

        return Split(InteractionMatrix.Create(users, items, positives), seed, holdoutFraction, minPositives);
    }

    /// <summary>Splits implicit feedback the same way, every pair being a positive; used to carve a validation split from training data.</summary>
    public static HoldoutSplit FromInteractions(InteractionMatrix data, int seed, double holdoutFraction = 0.2, int minPositives = 5)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Split(data, seed, holdoutFraction, minPositives);
    }

    private static HoldoutSplit Split(InteractionMatrix all, int seed, double holdoutFraction, int minPositives)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holdoutFraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(holdoutFraction, 1.0);
        var random = new Random(seed);
        var train = new List<(int User, int Item)>((int)all.Count);
        var heldOut = new Dictionary<int, int[]>();
        for (var user = 0; user < all.Users; user++)
        {
            var items = all.ItemsOf(user).ToArray();
            var held = items.Length >= minPositives ? Math.Max(1, (int)Math.Round(items.Length * holdoutFraction, MidpointRounding.AwayFromZero)) : 0;
            held = Math.Min(held, items.Length);
            for (var t = 0; t < held; t++)
            {
                var pick = random.Next(t, items.Length);
                (items[t], items[pick]) = (items[pick], items[t]);
            }

            if (held > 0)
            {
                var test = items[..held];
                Array.Sort(test);
                heldOut[user] = test;
            }

            for (var t = held; t < items.Length; t++)
            {
                train.Add((user, items[t]));
            }
        }

        return new HoldoutSplit(InteractionMatrix.Create(all.Users, all.Items, train), heldOut);
    }
}

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
