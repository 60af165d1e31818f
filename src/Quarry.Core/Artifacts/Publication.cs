using System.Globalization;

namespace Quarry.Core.Artifacts;

/// <summary>
/// The checkpoint line a trainer writes after publishing a model: <c>&lt;version&gt; &lt;source&gt; &lt;unix time ns&gt;</c>.
/// The artifact it points to is named after the time, so one line says everything a server needs.
/// </summary>
/// <param name="Version">Version of the trainer that built the model (x.y.z).</param>
/// <param name="Source">Where the training data came from (URL or path; no spaces).</param>
/// <param name="UnixNanoseconds">When the model was published, in nanoseconds since the Unix epoch (UTC).</param>
public sealed record Publication(string Version, string Source, long UnixNanoseconds)
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>The publication time at 100 ns resolution.</summary>
    public DateTime PublishedUtc => DateTime.UnixEpoch.AddTicks(UnixNanoseconds / 100);

    /// <summary>The publication time as <c>yyyy-MM-dd HH:mm:ss.fffffffff</c> (UTC, nine fractional digits).</summary>
    public string ModelDate
    {
        get
        {
            var seconds = Math.DivRem(UnixNanoseconds, NanosecondsPerSecond, out var fraction);
            var whole = DateTime.UnixEpoch.AddSeconds(seconds);
            return whole.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "." + fraction.ToString("D9", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The checkpoint line.</summary>
    public string Format() => $"{Version} {Source} {UnixNanoseconds.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Nanoseconds since the epoch for <paramref name="time"/>.</summary>
    public static long ToUnixNanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Parses a checkpoint line; a malformed one is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static Publication Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3)
        {
            throw new InvalidDataException($"A checkpoint is '<version> <dataset url> <unix time ns>'; found {parts.Length} field(s) in '{Clip(text)}'.");
        }

        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ns) || ns <= 0)
        {
            throw new InvalidDataException($"The checkpoint's time '{Clip(parts[2])}' is not a positive number of nanoseconds.");
        }

        return new Publication(parts[0], parts[1], ns);
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
