namespace Quarry.Learn.Association;

/// <summary>Minimum support count (at least 1) and longest itemset to report.</summary>
public sealed record MiningOptions(int MinSupportCount, int MaxLength = int.MaxValue);
