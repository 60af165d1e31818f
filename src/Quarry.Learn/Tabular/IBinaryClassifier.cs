namespace Quarry.Learn.Tabular;

/// <summary>A trained model giving the probability of the positive class for one standardised row.</summary>
public interface IBinaryClassifier
{
    /// <summary>Probability in [0, 1] that the row belongs to class 1.</summary>
    float PredictProbability(ReadOnlySpan<float> standardizedRow);
}
