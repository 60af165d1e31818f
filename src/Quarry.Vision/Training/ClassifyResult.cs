namespace Quarry.Vision.Training;

/// <summary>The machine-readable outcome of a job (<c>result.json</c>).</summary>
public sealed record ClassifyResult(
    string Dataset,
    string Model,
    int Epochs,
    int BatchSize,
    float LearningRate,
    int Seed,
    int Threads,
    double[] EpochLoss,
    double[] EpochSeconds,
    double Accuracy,
    int Correct,
    int Tested,
    double Seconds,
    string Artifact,
    string ModelDate);

/// <summary>Where a running job is (<c>progress.json</c>), rewritten as it goes so a caller can show it live.</summary>
public sealed record ClassifyProgress(
    string State,
    int Epoch,
    int Epochs,
    int Step,
    int Steps,
    float? Loss,
    double Fraction,
    IReadOnlyList<float[]> LossCurve,
    double? Accuracy);
