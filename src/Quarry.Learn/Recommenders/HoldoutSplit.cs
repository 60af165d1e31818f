namespace Quarry.Learn.Recommenders;

/// <summary>One explicit rating of an item by a user (dense indices).</summary>
public sealed record Rating(int User, int Item, float Value);

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
