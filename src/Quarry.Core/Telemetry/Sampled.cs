namespace Quarry.Core.Telemetry;

/// <summary>
/// A value behind an observable gauge that is costly to read (a count in a database): <see cref="Get"/> answers at once with
/// the last reading and, when that is older than the allowed age, starts one new reading in the background. Nothing is read
/// while nobody asks. A failed reading answers null until a later one succeeds, so a scrape shows a gap, not stale numbers.
/// </summary>
public sealed class Sampled<T> where T : class
{
    private readonly Func<CancellationToken, Task<T>> _read;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _clock;
    private T? _last;
    private long _readAt;
    private int _reading;

    /// <summary>Reads with <paramref name="read"/> at most once per <paramref name="maxAge"/>.</summary>
    public Sampled(Func<CancellationToken, Task<T>> read, TimeSpan maxAge, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(clock);
        _read = read;
        _maxAge = maxAge;
        _clock = clock;
        _readAt = long.MinValue;
    }

    /// <summary>The latest reading, or null before the first one (or after a failed one).</summary>
    public T? Get()
    {
        var readAt = Interlocked.Read(ref _readAt);
        if ((readAt == long.MinValue || _clock.GetElapsedTime(readAt) >= _maxAge) && Interlocked.CompareExchange(ref _reading, 1, 0) == 0)
        {
            _ = Task.Run(RefreshAsync); // never read on the scraping thread, even when the read is synchronous
        }

        return Volatile.Read(ref _last);
    }

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Volatile.Write(ref _last, await _read(timeout.Token).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // a gauge must never throw into the exporter; the gap in the series is the report
        catch (Exception)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _last, null);
        }
        finally
        {
            Interlocked.Exchange(ref _readAt, _clock.GetTimestamp());
            Volatile.Write(ref _reading, 0);
        }
    }
}
