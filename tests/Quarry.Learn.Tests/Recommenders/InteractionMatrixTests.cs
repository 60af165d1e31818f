using Quarry.Learn.Recommenders;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class InteractionMatrixTests
{
    [Fact]
    public void Rows_are_sorted_and_distinct_and_counts_add_up()
    {
        var matrix = InteractionMatrix.Create(3, 5, [(2, 4), (0, 3), (0, 1), (0, 3), (2, 0), (2, 4)]);

        Assert.Equal(3, matrix.Users);
        Assert.Equal(5, matrix.Items);
        Assert.Equal(4, matrix.Count);
        Assert.Equal([1, 3], matrix.ItemsOf(0).ToArray());
        Assert.Equal(0, matrix.ItemsOf(1).Length);
        Assert.Equal([0, 4], matrix.ItemsOf(2).ToArray());
        Assert.Equal([1, 1, 0, 1, 1], matrix.ItemCounts());
    }

    [Fact]
    public void Transpose_lists_users_per_item()
    {
        var matrix = InteractionMatrix.Create(3, 3, [(0, 1), (1, 1), (2, 0), (1, 2)]);
        var (offsets, users) = matrix.ByItem();

        Assert.Equal([0, 1, 3, 4], offsets);
        Assert.Equal([2, 0, 1, 1], users);
    }

    [Fact]
    public void Out_of_range_pairs_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionMatrix.Create(2, 2, [(0, 2)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionMatrix.Create(2, 2, [(-1, 0)]));
    }
}
