using System.Globalization;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>Queue names derived from the deployment prefix.</summary>
internal sealed record QueueNames(string Main, string DelayPrefix)
{
    public static QueueNames For(string prefix) => new($"{prefix}.jobs", $"{prefix}.jobs.retry.");

    /// <summary>The retry queue whose messages all wait <paramref name="delayMs"/> before returning to the main queue.</summary>
    public string Delay(int delayMs) => DelayPrefix + delayMs.ToString(CultureInfo.InvariantCulture);
}
