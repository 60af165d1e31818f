using System.Diagnostics;

namespace Quarry.Redis.Tests;

/// <summary>Polls a condition until it holds or a deadline passes, instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = within ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"Timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>True once the server reports at least <paramref name="count"/> clients blocked in a command.</summary>
    public static Task BlockedClientsAsync(RedisClient observer, int count) =>
        TrueAsync(
            async () =>
            {
                var info = (await observer.ExecuteAsync("INFO", ["clients"], TestContext.Current.CancellationToken)).AsString()!;
                var line = info.Split("\r\n").Single(l => l.StartsWith("blocked_clients:", StringComparison.Ordinal));
                return int.Parse(line["blocked_clients:".Length..], System.Globalization.CultureInfo.InvariantCulture) >= count;
            },
            $"{count} blocked client(s)");
}
