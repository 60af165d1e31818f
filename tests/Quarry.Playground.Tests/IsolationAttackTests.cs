using System.Net;
using System.Net.Sockets;
using Quarry.TestSupport;

namespace Quarry.Playground.Tests;

/// <summary>Hostile code aimed at the host's files, environment, network, processes and kernel.</summary>
public sealed class IsolationAttackTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    [Fact]
    public async Task HostFilesAreInvisible()
    {
        string repo = FindRepoRoot();
        var r = await fixture.RunAsync(HostileCode.OnEachPath(
            "READ", HostileCode.Read, "/etc/shadow", "/etc/passwd", "/root", "/home", repo, repo + "/Quarry.slnx", "/usr/bin/python3"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("READ /usr/bin/python3", r.Stdout, StringComparison.Ordinal);
        Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("READ", StringComparison.Ordinal));
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task ServerEnvironmentNeverLeaks()
    {
        Assert.Equal(PoolFixture.SecretValue, Environment.GetEnvironmentVariable(PoolFixture.SecretName));
        var r = await fixture.RunAsync(HostileCode.ServerEnvironment);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("1 environ", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolFixture.SecretValue, r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolFixture.SecretName, r.Stdout + r.Stderr, StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task WritesOutsideTmpFail()
    {
        var r = await fixture.RunAsync(HostileCode.OnEachPath(
            "WROTE", HostileCode.Write, "/x", "/etc/x", "/usr/x", "/bin/x", "/dev/x", "/dev/shm/x", "/proc/x", "/proc/sys/kernel/hostname", "/tmp/ok"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("WROTE /tmp/ok", r.Stdout, StringComparison.Ordinal);
        Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("WROTE", StringComparison.Ordinal));
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task NetworkToLoopbackListenerFails()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var r = await fixture.RunAsync($$"""
import socket
attempts = [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_NETLINK, socket.SOCK_RAW), (socket.AF_PACKET, socket.SOCK_RAW)]
for family, kind in attempts:
    try:
        s = socket.socket(family, kind)
        if family == socket.AF_INET and kind == socket.SOCK_STREAM:
            s.settimeout(1)
            s.connect(('127.0.0.1', {{port}}))
            print('CONNECTED')
        else:
            print('OPENED', family)
    except OSError as e:
        print('BLOCKED', family, e.errno)
a, b = socket.socketpair()
print('UNIX OK')
""");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("UNIX OK", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CONNECTED", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("OPENED", r.Stdout, StringComparison.Ordinal);
        Assert.False(listener.Pending());
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task KillingEverythingOnlyKillsTheSandbox()
    {
        int self = Environment.ProcessId;
        var r = await fixture.RunAsync($"import os\nfor pid in ({self}, os.getppid(), 1):\n    try:\n        os.kill(pid, 9)\n    except OSError as e:\n        print('no', pid, e.errno, flush=True)\nos.kill(-1, 9)\nprint('alive')");
        Assert.DoesNotContain("alive", r.Stdout, StringComparison.Ordinal);
        Assert.False(r.ExitCode == 0, $"exit {r.ExitCode}");
        Assert.False(System.Diagnostics.Process.GetCurrentProcess().HasExited);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task DangerousSyscallsAreRefused()
    {
        var r = await fixture.RunAsync("""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
calls = {'ptrace': (101, 16, 1), 'mount': (165, 0, 0), 'unshare': (272, 0x10000000, 0), 'setns': (308, 0, 0),
         'bpf': (321, 0, 0), 'io_uring_setup': (425, 8, 0), 'keyctl': (250, 0, 0), 'perf_event_open': (298, 0, 0),
         'init_module': (175, 0, 0), 'reboot': (169, 0, 0), 'clone_newuser': (56, 0x10000000 | 17, 0)}
for name, (nr, a, b) in calls.items():
    ret = libc.syscall(nr, ctypes.c_long(a), ctypes.c_long(b), 0, 0, 0)
    if ret == 0:
        os._exit(0) if name.startswith('clone') else None
    print(name, ret, ctypes.get_errno())
""");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.All(lines, l => Assert.EndsWith(" -1 1", l, StringComparison.Ordinal));
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task NoServerDescriptorsAreInherited()
    {
        var r = await fixture.RunAsync("import os\nfor f in sorted(os.listdir('/proc/self/fd'), key=int):\n    try:\n        print(f, os.readlink('/proc/self/fd/' + f))\n    except OSError:\n        pass");
        Assert.Equal(0, r.ExitCode);
        var fds = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // stdin (now /dev/null), stdout, stderr and the end-marker pipe; nothing of the server's.
        Assert.Equal(4, fds.Length);
        Assert.Equal("0 /dev/null", fds[0]);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task SignalsExitAsCode()
    {
        var r = await fixture.RunAsync("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)");
        Assert.Equal(137, r.ExitCode);
        Assert.False(r.TimedOut);
        await fixture.AssertHealthyAsync();
    }

    [Fact]
    public async Task CpuLimitKillsWithSigxcpu()
    {
        // A wall clock far above the CPU limit: on a loaded machine one CPU second can take many wall seconds, and the
        // test is about which limit stops the loop, so the wall clock here only guards against a hang.
        await using var pool = new SandboxPool(new PlaygroundOptions
        {
            WarmSandboxes = 1,
            Limits = new SandboxLimits { Wall = TimeSpan.FromMinutes(5), Cpu = TimeSpan.FromSeconds(1) },
        });
        var r = await pool.EvaluateAsync("while True:\n    pass", TestContext.Current.CancellationToken);
        Assert.False(r.TimedOut, $"the wall clock fired after {r.DurationMs:F0} ms, not the CPU limit");
        Assert.Equal(128 + 24, r.ExitCode); // killed by SIGXCPU: RLIMIT_CPU stopped it
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Quarry.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
