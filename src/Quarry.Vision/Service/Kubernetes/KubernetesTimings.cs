namespace Quarry.Vision.Service.Kubernetes;

/// <summary>How quickly the executor retries and how often it reads running pods' logs.</summary>
internal sealed record KubernetesTimings(TimeSpan MinBackoff, TimeSpan MaxBackoff, TimeSpan ProgressInterval, int WatchTimeoutSeconds)
{
    /// <summary>Retries from 1 s doubling to 30 s; progress every 5 s; watches end after 5 minutes and resume.</summary>
    public static KubernetesTimings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 300);
}
