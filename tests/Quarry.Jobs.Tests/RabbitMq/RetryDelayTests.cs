using Quarry.Jobs.Backends.RabbitMq;

namespace Quarry.Jobs.Tests.RabbitMq;

public sealed class RetryDelayTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    [InlineData(1500)]
    [InlineData(60_000)]
    [InlineData(86_400_000)]
    public void A_bucket_is_never_shorter_and_at_most_a_fifth_longer(int delayMs)
    {
        var bucket = RetryDelay.BucketMs(TimeSpan.FromMilliseconds(delayMs));
        Assert.InRange(bucket, delayMs, Math.Max(100, delayMs * 1.2));
    }

    [Fact]
    public void Nearby_delays_share_a_bucket_and_past_ones_need_none()
    {
        Assert.Equal(RetryDelay.BucketMs(TimeSpan.FromMilliseconds(1400)), RetryDelay.BucketMs(TimeSpan.FromMilliseconds(1450)));
        Assert.Equal(0, RetryDelay.BucketMs(TimeSpan.FromSeconds(-3)));
    }
}
