using System.Diagnostics;

namespace Quarry.TestSupport;

/// <summary>Polls a condition until it holds or a deadline passes, instead of sleeping a fixed time.</summary>
public static class Wait
{
    /// <summary>Returns once <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"Timed out after {within.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>The synchronous-condition form of <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?)"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan within, string what, TimeSpan? every = null) =>
        UntilAsync(() => Task.FromResult(condition()), within, what, every);
}
