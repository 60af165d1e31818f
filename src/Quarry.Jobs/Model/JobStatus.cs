namespace Quarry.Jobs.Model;

/// <summary>
/// The states of a job record. <c>submitted → in progress → complete | failed</c>; a retry returns an
/// in-progress job to <c>submitted</c>; <c>complete</c>, <c>failed</c> and <c>cancelled</c> are final.
/// </summary>
public static class JobStatus
{
    /// <summary>Accepted and queued, waiting for a worker (also between retries).</summary>
    public const string Submitted = "submitted";

    /// <summary>A worker holds a lease on it and runs it.</summary>
    public const string InProgress = "in progress";

    /// <summary>Finished successfully; final.</summary>
    public const string Complete = "complete";

    /// <summary>Failed on every allowed attempt; final, the error is kept.</summary>
    public const string Failed = "failed";

    /// <summary>Cancelled before any worker started it; final.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Every status, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } = [Submitted, InProgress, Complete, Failed, Cancelled];

    /// <summary>True for the states a record never leaves.</summary>
    public static bool IsFinal(string status) => status is Complete or Failed or Cancelled;
}
