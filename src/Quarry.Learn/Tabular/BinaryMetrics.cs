namespace Quarry.Learn.Tabular;

/// <summary>Accuracy, ROC AUC (NaN when one class is absent) and the confusion matrix at a threshold.</summary>
public sealed record BinaryMetrics(double Accuracy, double RocAuc, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives);
