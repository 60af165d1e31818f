using Quarry.Learn.Recommenders;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class TopKTests
{
    [Fact]
    public void Best_first_without_excluded_items()
    {
        float[] scores = [0.1f, 0.9f, 0.5f, 0.7f, 0.3f];
        Assert.Equal([1, 3, 2], TopK.Select(scores, 3, []));
        Assert.Equal([3, 4, 0], TopK.Select(scores, 3, [1, 2]));
    }

    [Fact]
    public void Ties_go_to_the_lower_item_id()
    {
        float[] scores = [1f, 2f, 2f, 1f, 2f, 0f];
        Assert.Equal([1, 2, 4, 0, 3], TopK.Select(scores, 5, []));
        Assert.Equal([2, 4], TopK.Select(scores, 2, [1]));
    }

    [Fact]
    public void Short_catalogs_and_nan_scores()
    {
        float[] scores = [float.NaN, 1f, float.NegativeInfinity];
        Assert.Equal([1, 2], TopK.Select(scores, 10, []));
        Assert.Empty(TopK.Select(scores, 0, []));
        Assert.Equal([2], TopK.Select(scores, 10, [1, 7, -3]));
    }

    [Fact]
    public void Matches_a_full_sort_on_random_scores()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 5000).Select(_ => (float)Math.Round(random.NextDouble(), 2)).ToArray();
        int[] exclude = [.. Enumerable.Range(0, 200).Select(_ => random.Next(5000)).Distinct()];
        var expected = Enumerable.Range(0, 5000).Where(i => !exclude.Contains(i))
            .OrderByDescending(i => scores[i]).ThenBy(i => i).Take(50).ToArray();

        Assert.Equal(expected, TopK.Select(scores, 50, exclude));
    }
}
