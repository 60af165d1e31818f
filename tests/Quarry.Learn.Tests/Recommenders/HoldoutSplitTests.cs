using Quarry.Learn.Recommenders;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class HoldoutSplitTests
{
    [Fact]
    public void Positives_only_and_users_with_few_positives_stay_in_training()
    {
        List<Rating> ratings =
        [
            new(0, 0, 5), new(0, 1, 4), new(0, 2, 3.5f), new(0, 3, 4.5f), new(0, 4, 4), new(0, 5, 4), new(0, 6, 4),
            new(1, 0, 5), new(1, 1, 5), new(1, 2, 5), new(1, 3, 5), new(1, 4, 1),
        ];
        var split = HoldoutSplit.Create(ratings, 2, 7, seed: 1);

        // User 0 has 6 positives (item 2 is not one): one held out, five in training. User 1 has 4: all in training.
        Assert.Single(split.HeldOut[0]);
        Assert.False(split.HeldOut.ContainsKey(1));
        Assert.Equal([0, 1, 2, 3], split.Train.ItemsOf(1).ToArray());
        var user0 = split.Train.ItemsOf(0).ToArray().Concat(split.HeldOut[0]).Order().ToArray();
        Assert.Equal([0, 1, 3, 4, 5, 6], user0);
        Assert.DoesNotContain(split.HeldOut[0][0], split.Train.ItemsOf(0).ToArray());
    }

    [Fact]
    public void Split_is_deterministic_per_seed_and_independent_of_rating_order()
    {
        var ratings = Synthetic.PlantedRatings(200, 120, 6, 20, seed: 5);
        var shuffled = ratings.OrderBy(r => (r.Item * 7919) ^ r.User).ToList();

        var a = HoldoutSplit.Create(ratings, 200, 120, seed: 42);
        var b = HoldoutSplit.Create(shuffled, 200, 120, seed: 42);
        var c = HoldoutSplit.Create(ratings, 200, 120, seed: 43);

        Assert.Equal(a.HeldOut.Keys.Order(), b.HeldOut.Keys.Order());
        Assert.All(a.HeldOut, pair => Assert.Equal(pair.Value, b.HeldOut[pair.Key]));
        Assert.Contains(a.HeldOut, pair => !pair.Value.SequenceEqual(c.HeldOut[pair.Key]));
    }

    [Fact]
    public void About_a_fifth_of_each_users_positives_is_held_out()
    {
        var ratings = Enumerable.Range(0, 23).Select(i => new Rating(0, i, 5f)).ToList();
        var split = HoldoutSplit.Create(ratings, 1, 23, seed: 9);

        Assert.Equal(5, split.HeldOut[0].Length);
        Assert.Equal(18, split.Train.ItemsOf(0).Length);
        Assert.True(split.HeldOut[0].SequenceEqual(split.HeldOut[0].Order()));
    }

    [Fact]
    public void Validation_split_is_carved_from_training_interactions()
    {
        var outer = HoldoutSplit.Create(Synthetic.PlantedRatings(100, 60, 3, 15, seed: 2), 100, 60, seed: 42);
        var inner = HoldoutSplit.FromInteractions(outer.Train, seed: 43);

        foreach (var (user, items) in inner.HeldOut)
        {
            Assert.All(items, item => Assert.Contains(item, outer.Train.ItemsOf(user).ToArray()));
            Assert.All(items, item => Assert.DoesNotContain(item, outer.HeldOut.GetValueOrDefault(user, [])));
        }

        Assert.Equal(outer.Train.Count, inner.Train.Count + inner.HeldOut.Values.Sum(v => v.Length));
    }
}
