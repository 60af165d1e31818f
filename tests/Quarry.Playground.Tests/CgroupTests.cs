using Quarry.TestSupport;

namespace Quarry.Playground.Tests;

/// <summary>Per-run cgroups: each sandbox gets its own with the configured limits, and none outlives its pool.</summary>
public sealed class CgroupTests
{
    private const string PidsRoot = "/sys/fs/cgroup/pids";

    [Fact]
    public async Task EachSandboxHasItsOwnLimitedCgroupWhichIsRemovedAfterwards()
    {
        var caps = SandboxProbe.Detect();
        Assert.True(caps.CgroupPids, caps.ToString());
        var ct = TestContext.Current.CancellationToken;

        // An unusual pids.max marks this pool's cgroups among any others on the host.
        const int marker = 37;
        await using (var pool = new SandboxPool(new PlaygroundOptions { Limits = new SandboxLimits { Processes = marker }, WarmSandboxes = 2 }))
        {
            await Wait.UntilAsync(() => pool.ReadyCount == 2, TimeSpan.FromSeconds(5), "two warm sandboxes");
            Assert.Equal(2, PopulatedRunCgroups(marker));
            var r = await pool.EvaluateAsync("print(1)", ct);
            Assert.Equal("1\n", r.Stdout);
        }

        await Wait.UntilAsync(() => RunCgroups(marker).Count == 0, TimeSpan.FromSeconds(5), "the run cgroups to be removed");
    }

    [Fact]
    public async Task ProcessLimitStopsForking()
    {
        await using var pool = new SandboxPool(new PlaygroundOptions { Limits = new SandboxLimits { Processes = 10 }, WarmSandboxes = 1 });
        var r = await pool.EvaluateAsync("""
import os, time
n = 0
for _ in range(30):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
    except OSError:
        break
print(n)
""", TestContext.Current.CancellationToken);
        Assert.Equal(0, r.ExitCode);
        Assert.InRange(int.Parse(r.Stdout.Trim()), 1, 9);
    }

    private static List<string> RunCgroups(int pidsMax) => Directory.Exists(PidsRoot)
        ? Directory.EnumerateDirectories(PidsRoot, "quarry-*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 })
            .Where(d => ReadOrEmpty(Path.Combine(d, "pids.max")).Trim() == pidsMax.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ToList()
        : [];

    private static int PopulatedRunCgroups(int pidsMax) =>
        RunCgroups(pidsMax).Count(d => ReadOrEmpty(Path.Combine(d, "cgroup.procs")).Trim().Length > 0);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
