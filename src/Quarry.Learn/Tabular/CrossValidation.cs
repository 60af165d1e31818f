namespace Quarry.Learn.Tabular;

/// <summary>Metrics of one held-out fold.</summary>
public sealed record FoldResult(int Fold, BinaryMetrics Metrics);

/// <summary>Per-fold results of a cross-validation with their summary and the confusion matrix pooled over folds.</summary>
public sealed record CrossValidation(IReadOnlyList<FoldResult> Folds)
{
    /// <summary>Mean of the per-fold accuracies.</summary>
    public double MeanAccuracy => Folds.Average(f => f.Metrics.Accuracy);

    /// <summary>Population standard deviation of the per-fold accuracies (as scikit-learn's scores.std()).</summary>
    public double StdAccuracy => Math.Sqrt(Folds.Average(f => Math.Pow(f.Metrics.Accuracy - MeanAccuracy, 2)));

    /// <summary>Mean of the per-fold ROC AUCs.</summary>
    public double MeanAuc => Folds.Average(f => f.Metrics.RocAuc);

    public int TruePositives => Folds.Sum(f => f.Metrics.TruePositives);

    public int FalsePositives => Folds.Sum(f => f.Metrics.FalsePositives);

    public int TrueNegatives => Folds.Sum(f => f.Metrics.TrueNegatives);

    public int FalseNegatives => Folds.Sum(f => f.Metrics.FalseNegatives);

    /// <summary>Accuracy of the pooled out-of-fold predictions.</summary>
    public double PooledAccuracy => (double)(TruePositives + TrueNegatives) / (TruePositives + FalsePositives + TrueNegatives + FalseNegatives);
}
