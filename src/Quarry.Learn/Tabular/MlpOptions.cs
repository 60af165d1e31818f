namespace Quarry.Learn.Tabular;

/// <summary>
/// Hidden layer widths and Adam training settings of an <see cref="Mlp"/>. Early stopping is off when
/// <paramref name="Patience"/> is 0; otherwise a seeded <paramref name="ValidationFraction"/> of the training rows is held
/// out and the weights of the epoch with the lowest validation log-loss are kept.
/// </summary>
public sealed record MlpOptions(int[] Hidden, int Epochs = 150, float LearningRate = 1e-3f, int BatchSize = 16, float L2 = 1e-4f, int Seed = 42, int Patience = 0, float ValidationFraction = 0.1f);
