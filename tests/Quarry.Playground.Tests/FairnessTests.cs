using Quarry.TestSupport;

namespace Quarry.Playground.Tests;

/// <summary>Busy loops run side by side at a low CPU weight, so they cannot keep a cheap request waiting; past the run cap requests get "busy".</summary>
public sealed class FairnessTests
{
    [Fact]
    public async Task APrintAnswersWhileTwentyBusyLoopsStillRun()
    {
        var ct = TestContext.Current.CancellationToken;

        // The loops end only at their 5 s CPU limit or when their callers give up (the wall clock and the start timeout are
        // hang guards). The print runs at the same CPU share as each loop, so under any load it answers first unless it is
        // queued behind them or starved.
        await using var pool = new SandboxPool(new PlaygroundOptions
        {
            StartTimeout = TimeSpan.FromMinutes(5),
            Limits = new SandboxLimits { Wall = TimeSpan.FromMinutes(5) },
        });
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var hogs = Enumerable.Range(0, 20).Select(_ => pool.EvaluateAsync("while True:\n    pass", abandon.Token)).ToList();
        await Wait.UntilAsync(() => pool.Running == 20, TimeSpan.FromMinutes(2), () => $"20 runs at once (running: {pool.Running})");
        var print = await pool.EvaluateAsync("print(1)", ct);
        var ended = hogs.Where(h => h.IsCompleted).ToList();
        int running = pool.Running;
        Assert.Equal("1\n", print.Stdout);
        if (ended.Count > 0)
        {
            Assert.Fail($"{ended.Count} busy loops ended before the print answered, the first with {await DescribeAsync(ended[0])}");
        }

        Assert.Equal(20, running);

        // A caller that gives up ends its run: every sandbox is killed and its slot freed.
        await abandon.CancelAsync();
        foreach (var hog in hogs)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hog);
        }

        Assert.Equal(0, pool.Running);
    }

    [Fact]
    public async Task WaitingRequestHonoursTheCallersToken()
    {
        await using var pool = new SandboxPool(new PlaygroundOptions { Limits = new SandboxLimits { Wall = TimeSpan.FromSeconds(3) }, WarmSandboxes = 1, MaxConcurrentRuns = 1 });
        var hog = pool.EvaluateAsync("import time\ntime.sleep(100)", TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.EvaluateAsync("print(1)", cts.Token));
        Assert.True((await hog).TimedOut);
    }

    [Fact]
    public async Task BeyondTheRunCapARequestIsToldToComeBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pool = new SandboxPool(new PlaygroundOptions
        {
            Limits = new SandboxLimits { Wall = TimeSpan.FromSeconds(3) },
            WarmSandboxes = 1,
            MaxConcurrentRuns = 1,
            QueueTimeout = TimeSpan.FromMilliseconds(300),
        });
        var hog = pool.EvaluateAsync("import time\ntime.sleep(100)", ct);
        await Wait.UntilAsync(() => pool.Running == 1, TimeSpan.FromSeconds(5), () => $"one run (running: {pool.Running})");
        var busy = await Assert.ThrowsAsync<EvaluatorException>(() => pool.EvaluateAsync("print(1)", ct));
        Assert.Equal(503, busy.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), busy.RetryAfter);
        Assert.True((await hog).TimedOut);
        Assert.Equal("1\n", (await pool.EvaluateAsync("print(1)", ct)).Stdout);
    }

    [Fact]
    public async Task BusyLoopsRunUnderALowCpuWeightAndASharedMemoryCap()
    {
        var caps = SandboxProbe.Detect();
        Assert.True(caps.CgroupCpu && caps.CgroupMemory, caps.ToString());
        await using var pool = new SandboxPool(new PlaygroundOptions { TotalMemoryBytes = 768L << 20 });
        var parents = Directory.EnumerateDirectories("/sys/fs/cgroup/cpu", $"quarry-playground-{Environment.ProcessId}-*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }).ToList();
        Assert.NotEmpty(parents);
        Assert.Contains(parents, p => File.ReadAllText(Path.Combine(p, "cpu.shares")).Trim() == "256");
        var memory = Directory.EnumerateDirectories("/sys/fs/cgroup/memory", $"quarry-playground-{Environment.ProcessId}-*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }).ToList();
        Assert.Contains(memory, p => File.ReadAllText(Path.Combine(p, "memory.limit_in_bytes")).Trim() == (768L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
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

    [Fact]
    public void NonsenseLimitsAreRefusedWithTheirName()
    {
        var result = new PlaygroundOptionsValidator().Validate(null, new PlaygroundOptions
        {
            StartTimeout = TimeSpan.Zero,
            Limits = new SandboxLimits { Wall = TimeSpan.Zero, OpenFiles = 3 },
        });
        Assert.Equal(
            [
                "Quarry__Playground__StartTimeout must be from 00:00:01 to 00:10:00 (was 00:00:00)",
                "Quarry__Playground__Limits__Wall must be from 00:00:01 to 00:10:00 (was 00:00:00)",
                "Quarry__Playground__Limits__OpenFiles must be from 16 to 65536 (was 3)",
            ],
            result.Failures);
    }

    private static async Task<string> DescribeAsync(Task<EvalResult> hog)
    {
        try
        {
            var r = await hog;
            return $"exit={r.ExitCode} timedOut={r.TimedOut} ms={r.DurationMs:F0}";
        }
        catch (Exception e) when (e is EvaluatorException or OperationCanceledException)
        {
            return e.Message;
        }
    }
}
