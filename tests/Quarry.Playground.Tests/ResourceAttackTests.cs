using Quarry.TestSupport;

namespace Quarry.Playground.Tests;

/// <summary>Hostile code aimed at the host's CPU, memory, disk and process table.</summary>
public sealed class ResourceAttackTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ForkBombIsContained()
    {
        var r = await RunAsync("""
import os
n = 0
while True:
    try:
        os.fork()
        n += 1
    except OSError:
        pass
""");
        Assert.True(r.TimedOut || r.ExitCode != 0, Describe(r));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task TenGibAllocationFails()
    {
        var r = await RunAsync("x = bytearray(10 * 1024 ** 3)\nprint('allocated')");
        Assert.DoesNotContain("allocated", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("MemoryError", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, r.ExitCode);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task GrowingInSmallChunksStopsAtTheLimit()
    {
        var r = await RunAsync("""
chunks = []
while True:
    chunks.append(bytearray(1024 * 1024))
    if len(chunks) % 64 == 0:
        print(len(chunks), flush=True)
""");
        Assert.NotEqual(0, r.ExitCode);
        int reached = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).DefaultIfEmpty(0).Max();
        Assert.True(reached <= 256, $"allocated {reached} MiB; {Describe(r)}");
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task InfiniteLoopIsStopped()
    {
        var r = await RunAsync("while True:\n    pass");
        Assert.True(r.TimedOut || r.ExitCode != 0, Describe(r));
        Assert.True(r.DurationMs < 4500, Describe(r));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SleepingForeverTimesOut()
    {
        var r = await RunAsync("print('start', flush=True)\nimport time\ntime.sleep(10**6)");
        Assert.True(r.TimedOut, Describe(r));
        Assert.Null(r.ExitCode);
        Assert.Equal("start\n", r.Stdout);
        Assert.InRange(r.DurationMs, 2900, 4500);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task HundredMegabytesOfStdoutAreTruncatedWithoutServerMemory()
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = await RunAsync("import sys\nchunk = 'x' * 1000000\nfor _ in range(100):\n    sys.stdout.write(chunk)\nprint('done', file=sys.stderr)");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(r.Truncated, Describe(r));
        Assert.Equal(64 * 1024, r.Stdout.Length);
        Assert.Equal("done\n", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.True(allocated < 16 * 1024 * 1024, $"server allocated {allocated} bytes");
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task FiveGigabyteFileIsRefused()
    {
        var r = await RunAsync("""
chunk = b'0' * (1 << 20)
with open('/tmp/big', 'wb') as f:
    for i in range(5 * 1024):
        f.write(chunk)
print('wrote')
""");
        Assert.DoesNotContain("wrote", r.Stdout, StringComparison.Ordinal);
        Assert.Matches("File too large|No space left", r.Stderr);
        Assert.Equal(1, r.ExitCode);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task DoubleForkedDaemonDoesNotSurvive()
    {
        string mark = "quarry-daemon-" + Guid.NewGuid().ToString("N");
        var r = await RunAsync($$"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv('/usr/bin/python3', ['python3', '-c', 'import time\nwhile True: time.sleep(1)', '{{mark}}'])
    os._exit(0)
for _ in range(200):
    if any('{{mark}}' in open('/proc/' + p + '/cmdline').read() for p in os.listdir('/proc') if p.isdigit()):
        print('daemon up')
        break
    time.sleep(0.01)
""");
        Assert.Contains("daemon up", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, r.ExitCode);
        await Wait.UntilAsync(() => !Host.AnyCommandLineContains(mark), TimeSpan.FromSeconds(3), "the daemon to be gone with its run");
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task NoSandboxProcessOutlivesItsRun()
    {
        await RunAsync("import os\nfor _ in range(20):\n    if os.fork() == 0:\n        import time\n        time.sleep(1000)\n");
        // Each warm sandbox is bwrap, its pid-1 init and python; anything beyond that in the pool's cgroups leaked from a finished run.
        // Processes cannot leave their cgroup, so an escaped daemon would still be counted here.
        int allowed = fixture.Pool.WarmSandboxes * 3;
        await Wait.UntilAsync(() => fixture.Pool.CgroupProcesses() <= allowed, TimeSpan.FromSeconds(3),
            () => $"at most {allowed} sandbox processes ({fixture.Pool.CgroupProcesses()} remain)");
        await AssertHealthyAsync();
    }

    private async Task<EvalResult> RunAsync(string code) => await fixture.Pool.EvaluateAsync(code, Ct);

    private async Task AssertHealthyAsync()
    {
        var r = await fixture.Pool.EvaluateAsync("print(1)", Ct);
        Assert.Equal("1\n", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    private static string Describe(EvalResult r) =>
        $"exit={r.ExitCode} timedOut={r.TimedOut} truncated={r.Truncated} ms={r.DurationMs:F0} stdout={r.Stdout[..Math.Min(200, r.Stdout.Length)]} stderr={r.Stderr[..Math.Min(400, r.Stderr.Length)]}";
}
