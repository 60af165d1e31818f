namespace Quarry.Probe;

/// <summary>Counts, failure windows and latency percentiles of a continuous probe.</summary>
internal sealed class ProbeStatistics
{
    private readonly List<double> _latencies = [];
    private DateTimeOffset? _failingSince;

    public int Requests { get; private set; }

    public int Failures { get; private set; }

    public TimeSpan LongestFailureWindow { get; private set; }

    public void Success(DateTimeOffset at, double milliseconds)
    {
        Requests++;
        _latencies.Add(milliseconds);
        CloseWindow(at);
    }

    public void Failure(DateTimeOffset at)
    {
        Requests++;
        Failures++;
        _failingSince ??= at;
    }

    /// <summary>Ends the run; a failure window still open is measured up to <paramref name="at"/>.</summary>
    public void Finish(DateTimeOffset at) => CloseWindow(at);

    public double Percentile(double p)
    {
        if (_latencies.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _latencies.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private void CloseWindow(DateTimeOffset at)
    {
        if (_failingSince is { } since)
        {
            var window = at - since;
            if (window > LongestFailureWindow)
            {
                LongestFailureWindow = window;
            }

            _failingSince = null;
        }
    }
}
