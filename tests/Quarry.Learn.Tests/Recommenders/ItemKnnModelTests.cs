using Quarry.Learn.Recommenders;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class ItemKnnModelTests
{
    // Users {0,1}, {0,1,2}, {2,3}: c(0,1)=2, c(0,2)=c(1,2)=c(2,3)=1; counts 2,2,2,1.
    private static readonly InteractionMatrix Tiny = InteractionMatrix.Create(3, 4, [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3)]);

    [Fact]
    public void Weights_are_shrunk_cosine_similarities()
    {
        var model = ItemKnnModel.Train(Tiny, neighbours: 10, shrink: 1f);

        Assert.Equal(2f / (2f + 1f), model.Weight(0, 1), 1e-6);
        Assert.Equal(1f / (2f + 1f), model.Weight(0, 2), 1e-6);
        Assert.Equal(1f / (MathF.Sqrt(2f) + 1f), model.Weight(3, 2), 1e-6);
        Assert.Equal(0f, model.Weight(0, 3));
        Assert.Equal(0f, model.Weight(0, 0));
    }

    [Fact]
    public void Only_the_top_neighbours_are_kept()
    {
        var model = ItemKnnModel.Train(Tiny, neighbours: 1, shrink: 0f);

        Assert.Equal(1f, model.Weight(0, 1), 1e-6);
        Assert.Equal(0f, model.Weight(0, 2));
        // Item 2's neighbours: 0 and 1 at 0.5, 3 at 1/√2.
        Assert.Equal(1f / MathF.Sqrt(2f), model.Weight(2, 3), 1e-6);
        Assert.Equal(0f, model.Weight(2, 0));
        var (offsets, _, _) = model.Export();
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(offsets[i + 1] - offsets[i] <= 1));
    }

    [Fact]
    public void Scores_sum_neighbour_weights_and_survive_export()
    {
        var model = ItemKnnModel.Train(Tiny, neighbours: 10, shrink: 0f);
        var scores = new float[4];
        model.Score([0, 3], scores);
        Assert.Equal(model.Weight(0, 2) + model.Weight(3, 2), scores[2], 1e-6);
        Assert.Equal(model.Weight(0, 1), scores[1], 1e-6);

        var (offsets, items, weights) = model.Export();
        var loaded = ItemKnnModel.Import(4, model.Neighbours, offsets, items, weights);
        var again = new float[4];
        loaded.Score([0, 3], again);
        Assert.Equal(scores, again);
        Assert.Equal(10, loaded.Neighbours);
        Assert.Throws<ArgumentException>(() => ItemKnnModel.Import(4, 10, offsets[..^1], items, weights));
        Assert.Throws<ArgumentException>(() => ItemKnnModel.Import(4, 1, offsets, items, weights));
    }

    [Fact]
    public void Most_popular_scores_are_item_counts()
    {
        var scores = new float[4];
        new MostPopular(Tiny).Score([], scores);
        Assert.Equal([2f, 2f, 2f, 1f], scores);
    }
}
