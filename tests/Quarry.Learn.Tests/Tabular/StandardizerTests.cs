using Quarry.Learn.Tabular;

namespace Quarry.Learn.Tests.Tabular;

public sealed class StandardizerTests
{
    [Fact]
    public void Uses_population_standard_deviation_and_scales_constant_columns_by_one()
    {
        float[][] rows = [[1f, 5f], [3f, 5f], [5f, 5f], [7f, 5f]];

        var standardizer = Standardizer.Fit(rows);

        Assert.Equal([4f, 5f], standardizer.Means);
        Assert.Equal(MathF.Sqrt(5f), standardizer.StdDevs[0], 5);
        Assert.Equal(1f, standardizer.StdDevs[1]);
        var z = standardizer.Transform([7f, 5f]);
        Assert.Equal(3f / MathF.Sqrt(5f), z[0], 5);
        Assert.Equal(0f, z[1]);
    }

    [Fact]
    public void Transformed_training_rows_have_zero_mean_and_unit_variance()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 200).Select(_ => new[] { (random.NextSingle() * 100) + 50, random.NextSingle() * 0.01f, 0.1f }).ToArray();

        var z = Standardizer.Fit(rows).TransformAll(rows);

        for (var c = 0; c < 2; c++)
        {
            Assert.Equal(0, z.Average(r => r[c]), 4);
            Assert.Equal(1, z.Average(r => r[c] * r[c]), 4);
        }

        Assert.All(z, r => Assert.Equal(0f, r[2], 5));
    }

    [Fact]
    public void Rejects_rows_of_the_wrong_width()
    {
        var standardizer = Standardizer.Fit([[1f, 2f], [3f, 4f]]);

        Assert.Throws<ArgumentException>(() => standardizer.Transform([1f]));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit([[1f, 2f], [3f]]));
    }
}
