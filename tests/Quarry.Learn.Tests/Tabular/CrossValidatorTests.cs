using Quarry.Learn.Tabular;

namespace Quarry.Learn.Tests.Tabular;

public sealed class CrossValidatorTests
{
    [Theory]
    [InlineData(100, 35, 10)]
    [InlineData(765, 267, 10)]
    [InlineData(23, 7, 5)]
    public void Stratified_folds_cover_every_row_once_and_keep_the_class_ratio(int rows, int positives, int folds)
    {
        var labels = Enumerable.Range(0, rows).Select(i => i < positives ? 1 : 0).Reverse().ToArray();
        var assignment = CrossValidator.StratifiedFolds(labels, folds, seed: 3);

        Assert.Equal(folds, assignment.Length);
        Assert.Equal(Enumerable.Range(0, rows), assignment.SelectMany(f => f).Order());
        Assert.True(assignment.Max(f => f.Length) - assignment.Min(f => f.Length) <= 1);
        var positivesPerFold = assignment.Select(f => f.Count(i => labels[i] == 1)).ToArray();
        Assert.True(positivesPerFold.Max() - positivesPerFold.Min() <= 1, string.Join(",", positivesPerFold));
    }

    [Fact]
    public void Folds_depend_only_on_the_seed()
    {
        var labels = Enumerable.Range(0, 60).Select(i => i % 3 == 0 ? 1 : 0).ToArray();

        Assert.Equal(CrossValidator.StratifiedFolds(labels, 5, 42), CrossValidator.StratifiedFolds(labels, 5, 42));
        Assert.NotEqual(CrossValidator.StratifiedFolds(labels, 5, 42), CrossValidator.StratifiedFolds(labels, 5, 43));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidator.StratifiedFolds(labels, 1, 42));
    }

    [Fact]
    public void Standardizer_sees_only_training_rows()
    {
        // Row values are distinct and far apart, so statistics over all rows differ from those of any training fold.
        var features = Enumerable.Range(0, 40).Select(i => new[] { (float)(i * i), i % 5 }).ToArray();
        var labels = Enumerable.Range(0, 40).Select(i => i % 4 == 0 ? 1 : 0).ToArray();
        var data = new TabularData(features, labels);
        var folds = CrossValidator.StratifiedFolds(labels, 4, seed: 9);
        var seen = new List<(float[][] X, int[] Y)>();
        var scored = new List<float[]>();

        CrossValidator.Run(data, 4, 9, (x, y) =>
        {
            seen.Add((x, y));
            return new Spy(scored);
        });

        Assert.Equal(4, seen.Count);
        for (var f = 0; f < 4; f++)
        {
            var trainRows = Enumerable.Range(0, 40).Except(folds[f]).ToArray();
            Assert.Equal(trainRows.Select(i => labels[i]), seen[f].Y);
            var expected = Standardizer.Fit([.. trainRows.Select(i => features[i])]);
            for (var c = 0; c < 2; c++)
            {
                Assert.Equal(0, seen[f].X.Average(r => r[c]), 4);
                Assert.Equal(1, seen[f].X.Average(r => r[c] * r[c]), 4);
            }

            var firstHeldOut = scored[folds.Take(f).Sum(g => g.Length)];
            Assert.Equal(expected.Transform(features[folds[f][0]]), firstHeldOut);
        }

        Assert.Equal(40, scored.Count);
    }

    [Fact]
    public void Summary_pools_folds_and_a_run_is_deterministic_for_a_seed()
    {
        var (x, y) = SyntheticTabular.Logistic([1.5f, -1f, 0.5f], -0.6f, 300, seed: 12);
        var data = new TabularData(x, y);

        var first = CrossValidator.Run(data, 5, 1, (tx, ty) => LogisticRegression.Train(tx, ty));
        var second = CrossValidator.Run(data, 5, 1, (tx, ty) => LogisticRegression.Train(tx, ty));

        Assert.Equal(first.Folds, second.Folds);
        Assert.Equal(300, first.TruePositives + first.FalsePositives + first.TrueNegatives + first.FalseNegatives);
        Assert.Equal(first.Folds.Average(f => f.Metrics.Accuracy), first.MeanAccuracy, 12);
        Assert.InRange(first.MeanAccuracy, 0.7, 0.9);
        Assert.InRange(first.MeanAuc, 0.8, 0.95);
        var accuracies = first.Folds.Select(f => f.Metrics.Accuracy).ToArray();
        Assert.Equal(Math.Sqrt(accuracies.Average(a => (a - first.MeanAccuracy) * (a - first.MeanAccuracy))), first.StdAccuracy, 12);
    }

    /// <summary>Records each row it is asked to score.</summary>
    private sealed class Spy(List<float[]> scored) : IBinaryClassifier
    {
        public float PredictProbability(ReadOnlySpan<float> standardizedRow)
        {
            scored.Add(standardizedRow.ToArray());
            return 0.5f;
        }
    }
}
