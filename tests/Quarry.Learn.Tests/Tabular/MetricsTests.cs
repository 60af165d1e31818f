using Quarry.Learn.Tabular;

namespace Quarry.Learn.Tests.Tabular;

public sealed class MetricsTests
{
    [Fact]
    public void Counts_the_confusion_matrix_at_the_threshold()
    {
        // 0.5 itself counts as positive.
        var metrics = Metrics.Evaluate([1, 1, 0, 0, 1, 0], [0.9f, 0.2f, 0.5f, 0.1f, 0.5f, 0.49f]);

        Assert.Equal((2, 1, 2, 1), (metrics.TruePositives, metrics.FalsePositives, metrics.TrueNegatives, metrics.FalseNegatives));
        Assert.Equal(4.0 / 6, metrics.Accuracy, 12);
    }

    [Fact]
    public void Auc_counts_ranked_pairs()
    {
        var metrics = Metrics.Evaluate([0, 0, 1, 1], [0.1f, 0.4f, 0.35f, 0.8f]);

        Assert.Equal(0.75, metrics.RocAuc, 12);
    }

    [Fact]
    public void Auc_gives_ties_half_credit()
    {
        // Pairs (positive, negative): (0.5, 0.5) tie = ½, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1 → 3.5 / 4.
        var metrics = Metrics.Evaluate([0, 1, 0, 1], [0.5f, 0.5f, 0.2f, 0.9f]);

        Assert.Equal(0.875, metrics.RocAuc, 12);
        Assert.Equal(0.5, Metrics.Evaluate([0, 1, 1, 0], [0.3f, 0.3f, 0.3f, 0.3f]).RocAuc, 12);
    }

    [Fact]
    public void Auc_is_undefined_with_one_class_and_bad_labels_are_rejected()
    {
        Assert.True(double.IsNaN(Metrics.Evaluate([1, 1], [0.2f, 0.7f]).RocAuc));
        Assert.Throws<ArgumentException>(() => Metrics.Evaluate([1, 2], [0.2f, 0.7f]));
        Assert.Throws<ArgumentException>(() => Metrics.Evaluate([1, 0], [0.2f]));
    }
}
