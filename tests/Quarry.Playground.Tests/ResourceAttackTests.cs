using Quarry.TestSupport;

namespace Quarry.Playground.Tests;

/// <summary>Hostile code aimed at the host's CPU, memory, disk and process table.</summary>
public sealed class ResourceAttackTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    // Three times the fixture's 3 s wall limit: code the limits failed to stop would run far past it.
    private const double StoppedWithin = 9_000;

    [Fact]
    public async Task ForkBombIsContained()
    {
        var r = await fixture.RunAsync(HostileCode.ForkBomb);
        Assert.True(r.TimedOut || r.ExitCode != 0, Describe(r));
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task TenGibAllocationFails()
    {
        var r = await fixture.RunAsync(HostileCode.TenGibibytesAtOnce);
        Assert.DoesNotContain("allocated", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("MemoryError", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, r.ExitCode);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task GrowingInSmallChunksStopsAtTheLimit()
    {
        var r = await fixture.RunAsync(HostileCode.MemoryInSmallChunks);
        Assert.NotEqual(0, r.ExitCode);
        int reached = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).DefaultIfEmpty(0).Max();
        Assert.True(reached <= 256, $"allocated {reached} MiB; {Describe(r)}");
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task InfiniteLoopIsStopped()
    {
        var r = await fixture.RunAsync(HostileCode.InfiniteLoop);
        Assert.True(r.TimedOut || r.ExitCode != 0, Describe(r));
        // Stopped by the 1 s CPU limit or at the latest by the 3 s wall limit; the bound leaves room for a loaded machine.
        Assert.True(r.DurationMs < StoppedWithin, Describe(r));
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task SleepingForeverTimesOut()
    {
        var r = await fixture.RunAsync(HostileCode.SleepForever);
        Assert.True(r.TimedOut, Describe(r));
        Assert.Null(r.ExitCode);
        Assert.Equal("sleeping\n", r.Stdout);
        // Not before the 3 s wall limit; after it, only as late as a loaded machine makes the kill.
        Assert.InRange(r.DurationMs, 2900, StoppedWithin);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task HundredMegabytesOfStdoutAreTruncatedWithoutServerMemory()
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = await fixture.RunAsync(HostileCode.HundredMegabytesToStdout);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(r.Truncated, Describe(r));
        Assert.Equal(64 * 1024, r.Stdout.Length);
        Assert.Equal("done\n", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.True(allocated < 16 * 1024 * 1024, $"server allocated {allocated} bytes");
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task FiveGigabyteFileIsRefused()
    {
        var r = await fixture.RunAsync(HostileCode.FiveGigabyteFile);
        Assert.DoesNotContain("wrote", r.Stdout, StringComparison.Ordinal);
        Assert.Matches("File too large|No space left", r.Stderr);
        Assert.Equal(1, r.ExitCode);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task DoubleForkedDaemonDoesNotSurvive()
    {
        var mark = HostileCode.NewMark();
        var r = await fixture.RunAsync(HostileCode.DoubleForkedDaemon(mark));
        Assert.Contains("daemon up", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, r.ExitCode);
        await Wait.UntilAsync(() => !HostileCode.AnyCommandLineContains(mark), TimeSpan.FromSeconds(3), "the daemon to be gone with its run");
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task NoSandboxProcessOutlivesItsRun()
    {
        await fixture.RunAsync("import os\nfor _ in range(20):\n    if os.fork() == 0:\n        import time\n        time.sleep(1000)\n");
        // Each warm sandbox is bwrap, its pid-1 init and python; anything beyond that in the pool's cgroups leaked from a finished run.
        // Processes cannot leave their cgroup, so an escaped daemon would still be counted here.
        int allowed = fixture.Pool.WarmSandboxes * 3;
        await Wait.UntilAsync(() => fixture.Pool.CgroupProcesses() <= allowed, TimeSpan.FromSeconds(3),
            () => $"at most {allowed} sandbox processes ({fixture.Pool.CgroupProcesses()} remain)");
        await fixture.AssertHealthyAsync();
    }

    private static string Describe(EvalResult r) =>
        $"exit={r.ExitCode} timedOut={r.TimedOut} truncated={r.Truncated} ms={r.DurationMs:F0} stdout={r.Stdout[..Math.Min(200, r.Stdout.Length)]} stderr={r.Stderr[..Math.Min(400, r.Stderr.Length)]}";
}
