using System.Diagnostics;

namespace Quarry.Playground.Tests;

/// <summary>Busy-looping requests queue behind a pool of two and cannot keep a cheap request waiting for long.</summary>
public sealed class FairnessTests
{
    [Fact]
    public async Task TwentyBusyLoopsDoNotBlockAPrintForSixSeconds()
    {
        var ct = TestContext.Current.CancellationToken;

        // Worst-case wait is about ceil(queued / pool size) x (wall limit + sandbox start); 10 x ~0.35 s here.
        await using var pool = new SandboxPool(new SandboxLimits { Wall = TimeSpan.FromMilliseconds(250) }, size: 2);
        var hogs = Enumerable.Range(0, 20).Select(_ => pool.EvaluateAsync("while True:\n    pass", ct)).ToList();
        var clock = Stopwatch.StartNew();
        var print = await pool.EvaluateAsync("print(1)", ct);
        clock.Stop();
        Assert.Equal("1\n", print.Stdout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"print(1) answered after {clock.Elapsed.TotalMilliseconds:F0} ms");
        var results = await Task.WhenAll(hogs);
        Assert.All(results, r => Assert.True(r.TimedOut, $"exit={r.ExitCode}"));
        TestContext.Current.TestOutputHelper?.WriteLine($"print(1) behind 20 busy loops: {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task WaitingRequestHonoursTheCallersToken()
    {
        await using var pool = new SandboxPool(new SandboxLimits { Wall = TimeSpan.FromSeconds(3) }, size: 1);
        var hog = pool.EvaluateAsync("import time\ntime.sleep(100)", TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.EvaluateAsync("print(1)", cts.Token));
        Assert.True((await hog).TimedOut);
    }

    [Fact]
    public void DefaultsMatchTheContract()
    {
        var d = new SandboxLimits();
        Assert.Equal(TimeSpan.FromSeconds(5), d.Wall);
        Assert.Equal(256L << 20, d.MemoryBytes);
        Assert.Equal(64, d.Processes);
        Assert.Equal(64 << 10, d.OutputBytesPerStream);
        Assert.Equal(16L << 20, d.FileBytes);
        Assert.Equal(64, d.OpenFiles);
        Assert.Equal(TimeSpan.FromSeconds(5), d.Cpu);
        Assert.Equal(16L << 20, d.TmpBytes);
    }
}
