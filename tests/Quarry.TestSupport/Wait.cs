using System.Diagnostics;

namespace Quarry.TestSupport;

/// <summary>Polls a condition until it holds or a deadline passes, instead of sleeping a fixed time. The one wait helper of the tests.</summary>
public static class Wait
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Returns once <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> naming <paramref name="what"/>
    /// (asked only then, so it may describe the state that was reached) after <paramref name="within"/>.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> what, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var cancellation = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"Timed out after {within.TotalSeconds:0.#} s waiting for {what()}.");
            }

            await Task.Delay(every ?? DefaultInterval, cancellation);
        }
    }

    /// <summary>The form of <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, Func{string}, TimeSpan?)"/> with a fixed description.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what, TimeSpan? every = null) =>
        UntilAsync(condition, within, () => what, every);

    /// <summary>The synchronous-condition form.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan within, Func<string> what, TimeSpan? every = null) =>
        UntilAsync(() => Task.FromResult(condition()), within, what, every);

    /// <summary>The synchronous-condition form with a fixed description.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan within, string what, TimeSpan? every = null) =>
        UntilAsync(() => Task.FromResult(condition()), within, () => what, every);
}
