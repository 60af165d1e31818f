namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>
/// Rounds retry delays up to a ladder of buckets (100 ms × 2^(k/4), at most 19 % longer) so each retry queue
/// holds messages of one TTL: RabbitMQ expires only the head of a queue, and equal TTLs keep the head the oldest.
/// </summary>
internal static class RetryDelay
{
    private const double BaseMs = 100;
    private const int MaxMs = int.MaxValue;

    /// <summary>The bucket in milliseconds for a delay, or 0 when the job may run at once.</summary>
    public static int BucketMs(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return 0;
        }

        var step = Math.Ceiling(4 * Math.Log2(Math.Max(delay.TotalMilliseconds, BaseMs) / BaseMs));
        var bucket = Math.Ceiling(BaseMs * Math.Pow(2, step / 4));
        // Never shorter than asked: rounding of the power can land a hair below the delay.
        bucket = Math.Max(bucket, Math.Ceiling(delay.TotalMilliseconds));
        return bucket >= MaxMs ? MaxMs : (int)bucket;
    }
}
