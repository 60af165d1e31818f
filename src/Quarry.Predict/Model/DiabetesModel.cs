using Quarry.Learn.Tabular;

namespace Quarry.Predict.Model;

/// <summary>How a candidate model did in cross-validation on the training rows.</summary>
public sealed record CandidateScore(string Kind, double MeanAccuracy, double StdAccuracy, double MeanAuc);

/// <summary>A trained diabetes classifier with its feature statistics, the evidence for choosing it, and the held-out rows it was judged on.</summary>
public sealed class DiabetesModel(
    string kind, Standardizer standardizer, IBinaryClassifier classifier, IReadOnlyList<CandidateScore> candidates,
    double majorityAccuracy, float[][] heldOutRows, int[] heldOutLabels, bool demo, string source)
{
    /// <summary><c>logistic</c> or <c>mlp</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>Feature means and standard deviations of the training rows.</summary>
    public Standardizer Standardizer { get; } = standardizer;

    /// <summary>The classifier over standardised features.</summary>
    public IBinaryClassifier Classifier { get; } = classifier;

    /// <summary>Cross-validated scores of every candidate, the chosen one included.</summary>
    public IReadOnlyList<CandidateScore> Candidates { get; } = candidates;

    /// <summary>Accuracy of always predicting the majority class on the held-out rows.</summary>
    public double MajorityAccuracy { get; } = majorityAccuracy;

    /// <summary>Rows kept out of training, for the accuracy page.</summary>
    public IReadOnlyList<float[]> HeldOutRows { get; } = heldOutRows;

    /// <summary>Their true outcomes.</summary>
    public IReadOnlyList<int> HeldOutLabels { get; } = heldOutLabels;

    /// <summary>True when trained on generated demo data, not a real dataset.</summary>
    public bool Demo { get; } = demo;

    /// <summary>The dataset it was trained on.</summary>
    public string Source { get; } = source;

    /// <summary>Probability of diabetes for one row of raw (unstandardised) features.</summary>
    public float Predict(ReadOnlySpan<float> row) => Classifier.PredictProbability(Standardizer.Transform(row));
}
