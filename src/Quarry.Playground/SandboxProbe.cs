using System.Collections.Concurrent;
using System.ComponentModel;

namespace Quarry.Playground;

/// <summary>Finds out which isolation layers work on this host by trying each one.</summary>
public static class SandboxProbe
{
    internal const int NobodyId = 65534;
    private static readonly ConcurrentDictionary<string, Lazy<SandboxCapabilities>> Cached = new(StringComparer.Ordinal);

    /// <summary>Probes once per process (and bubblewrap path) and returns the cached result afterwards.</summary>
    /// <param name="bubblewrapPath">The bwrap executable to use; null looks in the usual system directories.</param>
    public static SandboxCapabilities Detect(string? bubblewrapPath = null) =>
        Cached.GetOrAdd(bubblewrapPath ?? "", path => new Lazy<SandboxCapabilities>(() => Probe(path.Length == 0 ? null : path))).Value;

    private static SandboxCapabilities Probe(string? bubblewrapPath)
    {
        var notes = new List<string>();
        string? bwrap = bubblewrapPath is null ? FindExecutable("bwrap") : File.Exists(bubblewrapPath) ? bubblewrapPath : null;
        if (bwrap is null)
        {
            notes.Add(bubblewrapPath is null ? "bwrap not found in /usr/bin, /bin, /usr/sbin or /sbin" : $"bwrap not found at {bubblewrapPath}");
        }

        string? python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : null;
        string? setpriv = Environment.UserName == "root" ? FindExecutable("setpriv") : null;
        int? uid = setpriv is null ? null : NobodyId;
        if (python is null)
        {
            notes.Add("/usr/bin/python3 not found");
        }

        if (Environment.UserName == "root" && setpriv is null)
        {
            notes.Add("running as root without setpriv: RLIMIT_NPROC is not enforced for root");
        }

        var cgroups = CgroupLayout.Detect();
        notes.AddRange(cgroups.Notes);
        var caps = new SandboxCapabilities
        {
            BwrapPath = bwrap,
            PythonPath = python,
            SetprivPath = setpriv,
            SandboxUid = uid,
            CgroupMode = cgroups.Mode,
            CgroupMemory = cgroups.Memory is not null,
            CgroupPids = cgroups.Pids is not null,
            CgroupCpu = cgroups.Cpu is not null,
        };
        if (bwrap is null || python is null)
        {
            notes.Add("bubblewrap or python missing: no namespace isolation");
            return caps with { Rlimits = python is not null, Notes = notes };
        }

        // One real sandbox run checks namespaces, seccomp and rlimits together.
        const string check = """
import os, socket, resource
print("uid", os.getuid())
print("pid", os.getpid())
print("net", sorted(l.split(":")[0].strip() for l in open("/proc/self/net/dev").read().splitlines()[2:]))
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print("inet allowed")
except OSError as e:
    print("inet errno", e.errno)
print("nproc", resource.getrlimit(resource.RLIMIT_NPROC)[0])
""";
        var probe = new SandboxLimits { Wall = TimeSpan.FromSeconds(10) };
        var startTimeout = new PlaygroundOptions().StartTimeout;
        string output;
        try
        {
            using var sandbox = Sandbox.StartAsync(caps with { UserNamespace = true, PidNamespace = true, NetNamespace = true, Seccomp = true }, probe, cgroups: null, isolated: true, startTimeout, CancellationToken.None).GetAwaiter().GetResult();
            var result = sandbox.RunAsync(check, CancellationToken.None).GetAwaiter().GetResult();
            output = result.Stdout;
            if (result.ExitCode != 0)
            {
                notes.Add("sandbox probe failed: " + result.Stderr.Trim());
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or Win32Exception)
        {
            notes.Add("sandbox probe could not start: " + e.Message);
            output = "";
        }

        bool pidns = output.Contains("pid 2\n", StringComparison.Ordinal) || output.Contains("pid 1\n", StringComparison.Ordinal);
        return caps with
        {
            UserNamespace = output.Contains($"uid {NobodyId}\n", StringComparison.Ordinal),
            PidNamespace = pidns,
            NetNamespace = output.Contains("net ['lo']\n", StringComparison.Ordinal),
            Seccomp = output.Contains("inet errno 97", StringComparison.Ordinal),
            Rlimits = output.Contains($"nproc {probe.Processes}\n", StringComparison.Ordinal),
            Notes = notes,
        };
    }

    private static string? FindExecutable(string name)
    {
        foreach (string dir in new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" })
        {
            string path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
