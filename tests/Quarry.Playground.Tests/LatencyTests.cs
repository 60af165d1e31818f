using System.Diagnostics;

namespace Quarry.Playground.Tests;

/// <summary>print(5) through the warm pool against a cold `python3 -c 'print(5)'` in the same run.</summary>
public sealed class LatencyTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private const int Runs = 20;

    [Fact]
    public async Task PoolAnswersFasterThanAColdPython()
    {
        var ct = TestContext.Current.CancellationToken;
        var pool = new List<double>();
        var cold = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            // Sequential requests with a pause for replenishment measure the warm path a lightly loaded server sees.
            Assert.True(await Host.EventuallyAsync(() => fixture.Pool.ReadyCount == fixture.Pool.Size, TimeSpan.FromSeconds(5)));
            var clock = Stopwatch.StartNew();
            var r = await fixture.Pool.EvaluateAsync("print(5)", ct);
            pool.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal("5\n", r.Stdout);

            clock.Restart();
            using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "print(5)"]) { RedirectStandardOutput = true })!;
            string output = await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            cold.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal("5\n", output);
        }

        double poolMedian = Median(pool);
        double coldMedian = Median(cold);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"print(5) pool median {poolMedian:F1} ms p90 {P90(pool):F1} ms; python3 -c median {coldMedian:F1} ms p90 {P90(cold):F1} ms");
        Assert.True(poolMedian < 100, $"pool median {poolMedian:F1} ms");
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static double P90(List<double> xs) => xs.Order().ElementAt(xs.Count * 9 / 10);
}
