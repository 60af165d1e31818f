using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

public sealed class SmallSortTests
{
    [Fact]
    public void Distinct_values_sort_descending_at_every_length()
    {
        var random = new Random(12);
        for (var length = 0; length <= 40; length++)
        {
            for (var round = 0; round < 20; round++)
            {
                var values = Enumerable.Range(0, 1000).OrderBy(_ => random.Next()).Take(length)
                    .Select(v => round % 3 == 0 ? v - 500 : round % 3 == 1 ? int.MaxValue - v : v).ToArray();
                var expected = values.OrderDescending().ToArray();

                SmallSort.SortDistinctDescending(values);

                Assert.Equal(expected, values);
            }
        }
    }
}
