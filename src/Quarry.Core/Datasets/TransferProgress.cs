namespace Quarry.Core.Datasets;

/// <summary>Bytes of a download present so far, and the total when the server said it.</summary>
public readonly record struct TransferProgress(long Bytes, long? TotalBytes);
