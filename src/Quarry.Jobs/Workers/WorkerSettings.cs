namespace Quarry.Jobs.Workers;

/// <summary>How one worker process (or the in-process workers of <c>quarry serve</c>) runs jobs.</summary>
/// <param name="Id">Recorded on every job it runs.</param>
/// <param name="Concurrency">Jobs run at once.</param>
/// <param name="LeaseDuration">The backend's lease; leases are renewed at a third of it.</param>
/// <param name="MaxAttempts">Attempts before a failing job is marked failed.</param>
/// <param name="RetryDelay">First retry delay; doubles per attempt with jitter, capped at five minutes.</param>
/// <param name="ShutdownGrace">On stop, how long running jobs may finish before they are handed back.</param>
public sealed record WorkerSettings(string Id, int Concurrency, TimeSpan LeaseDuration, int MaxAttempts, TimeSpan RetryDelay, TimeSpan ShutdownGrace)
{
    /// <summary>The delay before attempt <paramref name="nextAttempt"/>.</summary>
    public TimeSpan Backoff(int nextAttempt, double jitter)
    {
        var factor = Math.Pow(2, Math.Clamp(nextAttempt - 2, 0, 20));
        var delay = RetryDelay.TotalMilliseconds * factor * (0.8 + (0.4 * jitter));
        return TimeSpan.FromMilliseconds(Math.Min(delay, TimeSpan.FromMinutes(5).TotalMilliseconds));
    }
}
