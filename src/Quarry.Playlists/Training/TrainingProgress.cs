namespace Quarry.Playlists.Training;

/// <summary>Where a training run is: a stage name, how far into it (when known) and a short detail.</summary>
/// <param name="Stage">download, read, mine, rules or publish.</param>
/// <param name="Fraction">0..1 within the stage, or null when unknown.</param>
/// <param name="Detail">Counts worth showing, e.g. "12,000 rows".</param>
public readonly record struct TrainingProgress(string Stage, double? Fraction, string? Detail);
