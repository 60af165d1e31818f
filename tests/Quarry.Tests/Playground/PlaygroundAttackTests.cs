using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Playground;

/// <summary>
/// Hostile programs sent to a real <c>quarry serve</c> process all at once, with a fake secret in the server's environment:
/// each is contained, the server stays healthy, and the next request works.
/// </summary>
public sealed partial class PlaygroundAttackTests
{
    private const string SecretName = "QUARRY_PLAYGROUND_FAKE_SECRET";
    private const string Secret = "fake-secret-93c1e7a4d2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_attack_is_contained_and_the_server_keeps_answering()
    {
        using var dir = new TempDirectory();
        await using var quarry = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path], Environment(new()
        {
            [SecretName] = Secret,
        }));
        var address = await quarry.WaitForListeningAsync();
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync(Ct).AsTask();
        var hostFile = Path.Combine(dir.Path, "written-by-sandbox");
        var mark = HostileCode.NewMark();

        var attacks = new Dictionary<string, string>
        {
            ["fork bomb"] = HostileCode.ForkBomb,
            ["10 GiB at once"] = HostileCode.TenGibibytesAtOnce,
            ["memory in small chunks"] = HostileCode.MemoryInSmallChunks,
            ["infinite loop"] = HostileCode.InfiniteLoop,
            ["sleep forever"] = HostileCode.SleepForever,
            ["100 MB to stdout"] = HostileCode.HundredMegabytesToStdout,
            ["5 GB file"] = HostileCode.FiveGigabyteFile,
            ["host files"] = HostileCode.OnEachPath("READ", HostileCode.Read, "/etc/shadow", "/etc/passwd", "/etc/hostname", "/root/.bashrc", hostFile,
                    System.Environment.CurrentDirectory + "/Quarry.Tests.dll", "/proc/1/root/etc/shadow")
                + "\n" + HostileCode.OnEachPath("LISTED", "print('LIST', path, os.listdir(path))", "/home", "/root", "/etc"),
            ["server environment"] = HostileCode.ServerEnvironment,
            ["write outside /tmp"] = HostileCode.OnEachPath("WROTE", HostileCode.Write, "/evil", "/etc/evil", "/usr/evil", "/dev/evil", "/dev/shm/evil", "/proc/evil", hostFile, "/tmp/ok"),
            ["tcp to the host"] = $$"""
                import socket
                for family, address in [(socket.AF_INET, ('127.0.0.1', {{port}})), (socket.AF_INET6, ('::1', {{port}}))]:
                    try:
                        s = socket.socket(family, socket.SOCK_STREAM)
                        s.settimeout(2)
                        s.connect(address)
                        print('CONNECTED', address)
                    except OSError as e:
                        print('refused', e.errno)
                """,
            ["kill the parent and everyone"] = $$"""
                import os, signal
                for target in [os.getppid(), 1, {{quarry.Pid}}, -1]:
                    try:
                        os.kill(target, signal.SIGKILL)
                        print('sent', target)
                    except OSError as e:
                        print('failed', target, e.errno)
                """,
            ["double-forked daemon"] = HostileCode.DoubleForkedDaemon(mark),
        };

        var runs = attacks.ToDictionary(a => a.Key, a => PlaygroundApiTests.EvalAsync(client, Dedent(a.Value)));
        var results = new Dictionary<string, JsonElement>();
        foreach (var (name, run) in runs)
        {
            results[name] = await run;
            Assert.DoesNotContain(Secret, results[name].GetRawText(), StringComparison.Ordinal);
        }

        static bool Stopped(JsonElement r) => r.GetProperty("timedOut").GetBoolean() || r.GetProperty("exitCode").GetInt32() != 0;
        string Out(string name) => results[name].GetProperty("stdout").GetString()!;
        string Err(string name) => results[name].GetProperty("stderr").GetString()!;

        Assert.True(Stopped(results["fork bomb"]), results["fork bomb"].GetRawText());
        Assert.Contains("MemoryError", Err("10 GiB at once"), StringComparison.Ordinal);
        Assert.DoesNotContain("allocated", Out("10 GiB at once"), StringComparison.Ordinal);
        Assert.True(Stopped(results["memory in small chunks"]), results["memory in small chunks"].GetRawText());
        Assert.True(Stopped(results["infinite loop"]), results["infinite loop"].GetRawText());
        Assert.True(results["sleep forever"].GetProperty("timedOut").GetBoolean());
        Assert.Equal("sleeping\n", Out("sleep forever")); // output before the kill is kept
        Assert.True(results["100 MB to stdout"].GetProperty("truncated").GetBoolean());
        Assert.Equal(64 * 1024, Out("100 MB to stdout").Length);
        Assert.DoesNotContain("wrote", Out("5 GB file"), StringComparison.Ordinal);
        Assert.Matches("File too large|No space left", Err("5 GB file"));
        Assert.DoesNotContain("READ", Out("host files"), StringComparison.Ordinal);
        Assert.DoesNotContain("LIST /home", Out("host files"), StringComparison.Ordinal);
        Assert.Contains("LIST /etc ['ld.so.cache']", Out("host files"), StringComparison.Ordinal);
        Assert.Contains("DENIED /etc/shadow", Out("host files"), StringComparison.Ordinal);
        // The sandbox's init (bwrap) was started with an empty environment; the launcher shell adds only PWD and SHLVL.
        Assert.Matches(InitEnvironment(), Out("server environment"));
        Assert.Equal("WROTE /tmp/ok", Assert.Single(Out("write outside /tmp").Split('\n'), l => l.StartsWith("WROTE", StringComparison.Ordinal)));
        Assert.False(File.Exists(hostFile));
        Assert.DoesNotContain("CONNECTED", Out("tcp to the host"), StringComparison.Ordinal);
        Assert.Equal(2, RefusedLines().Count(Out("tcp to the host")));
        Assert.Contains("daemon up", Out("double-forked daemon"), StringComparison.Ordinal);

        // After the attacks: no daemon survived, nothing reached the listener, the server is healthy and still serves.
        await Wait.UntilAsync(() => !HostileCode.AnyCommandLineContains(mark), TimeSpan.FromSeconds(5), "the double-forked daemon to be gone with its request");

        Assert.False(accepted.IsCompleted, "a sandbox connected to the host's listener");
        using (var health = await client.GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var next = await PlaygroundApiTests.EvalAsync(client, "print(1)");
        Assert.Equal("1\n", next.GetProperty("stdout").GetString());
        Assert.Equal(0, next.GetProperty("exitCode").GetInt32());
        Assert.DoesNotContain(Secret, quarry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_isolation_a_playground_server_refuses_to_start_unless_explicitly_allowed()
    {
        using var dir = new TempDirectory();
        var noBwrap = new Dictionary<string, string> { ["Quarry__Playground__BubblewrapPath"] = "/bin/false", ["Quarry__Services"] = "playground" };
        await using (var refused = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path], Environment(noBwrap)))
        {
            Assert.Equal(2, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.StartsWith("error: Quarry__Playground__Required is true but sandbox isolation is not available", refused.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", refused.Output, StringComparison.Ordinal);
            Assert.Contains("Quarry__Playground__AllowUnsandboxed=true", refused.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening", refused.Output, StringComparison.Ordinal);
        }

        noBwrap["Quarry__Playground__AllowUnsandboxed"] = "true";
        await using var allowed = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path], Environment(noBwrap));
        using var client = new HttpClient { BaseAddress = await allowed.WaitForListeningAsync(), Timeout = TimeSpan.FromSeconds(60) };
        Assert.Contains("UNSAFE", allowed.Output, StringComparison.Ordinal);
        var r = await PlaygroundApiTests.EvalAsync(client, "print(2 + 2)");
        Assert.Equal("4\n", r.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Without_isolation_a_default_server_runs_everything_else_and_says_why_the_playground_cannot()
    {
        using var dir = new TempDirectory();
        var noBwrap = new Dictionary<string, string> { ["Quarry__Playground__BubblewrapPath"] = "/bin/false" };
        await using var server = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path], Environment(noBwrap));
        using var client = new HttpClient { BaseAddress = await server.WaitForListeningAsync(), Timeout = TimeSpan.FromSeconds(60) };
        Assert.Contains("Python playground is NOT running", server.Output, StringComparison.Ordinal);
        using (var eval = await client.PostAsync("/py/eval", new StringContent("""{"code":"print(1)"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, eval.StatusCode);
            Assert.Equal("application/problem+json", eval.Content.Headers.ContentType?.MediaType);
            var detail = JsonDocument.Parse(await eval.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString();
            Assert.Contains("bwrap=/bin/false", detail, StringComparison.Ordinal);
        }

        using var jobs = await client.GetAsync("/jobs", Ct);
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
    }

    private static Dictionary<string, string> Environment(Dictionary<string, string> extra)
    {
        extra["Quarry__Playlists__Bootstrap"] = "false";
        extra["Quarry__Movies__Bootstrap"] = "false";
        extra["Quarry__Predict__Bootstrap"] = "false";
        return extra;
    }

    /// <summary>Strips the common leading indentation of a raw string's lines.</summary>
    private static string Dedent(string code)
    {
        var lines = code.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [GeneratedRegex(@"^1 environ b'(PWD=/\\x00)?(SHLVL=0\\x00)?'$", RegexOptions.Multiline)]
    private static partial Regex InitEnvironment();

    [GeneratedRegex("^refused ", RegexOptions.Multiline)]
    private static partial Regex RefusedLines();
}
