using System.Globalization;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>
/// Queue names derived from the deployment prefix. Messages naming several jobs go to <see cref="Main"/>; versions
/// before them published one job per message to <see cref="Legacy"/> (and its retry queues), which workers still
/// consume, so a rolling upgrade loses nothing: an older worker never receives a message it cannot read.
/// </summary>
internal sealed record QueueNames(string Main, string DelayPrefix, string Legacy)
{
    public static QueueNames For(string prefix) => new($"{prefix}.jobs.v2", $"{prefix}.jobs.v2.retry.", $"{prefix}.jobs");

    /// <summary>The retry queue whose messages all wait <paramref name="delayMs"/> before returning to the main queue.</summary>
    public string Delay(int delayMs) => DelayPrefix + delayMs.ToString(CultureInfo.InvariantCulture);
}
