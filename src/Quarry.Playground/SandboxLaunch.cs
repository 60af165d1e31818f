using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace Quarry.Playground;

/// <summary>How a sandbox is launched and how its output is captured.</summary>
internal sealed partial class Sandbox
{
    private static readonly string[] RootLinks = ["/bin", "/lib", "/lib64", "/sbin"];

    /// <summary>Bytes kept from one stream, and whether more arrived than the cap allowed.</summary>
    internal readonly record struct Capture(ReadOnlyMemory<byte> Bytes, bool Truncated);

    private static ProcessStartInfo BuildStartInfo(SandboxCapabilities caps, SandboxLimits limits, SandboxCgroup? cgroup, bool isolated, int markerFd, int filterFd, string token)
    {
        string python = caps.PythonPath ?? throw new InvalidOperationException("python3 not found");
        var psi = new ProcessStartInfo(File.Exists("/bin/bash") ? "/bin/bash" : "/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };

        // Nothing of the server's environment may reach bwrap: its init's /proc/1/environ would show it.
        psi.Environment.Clear();
        var a = psi.ArgumentList;
        a.Add("-c");
        a.Add(LaunchScript);
        a.Add("sandbox-launch");
        a.Add(markerFd.ToString(CultureInfo.InvariantCulture));
        a.Add(filterFd.ToString(CultureInfo.InvariantCulture));
        foreach (string procs in cgroup?.ProcsFiles ?? [])
        {
            a.Add(procs);
        }

        a.Add("--");
        // A dedicated host uid keeps RLIMIT_NPROC meaningful (root is exempt) even without namespaces.
        if (caps.SetprivPath is not null && caps.SandboxUid is int uid)
        {
            string id = uid.ToString(CultureInfo.InvariantCulture);
            foreach (string s in new[] { caps.SetprivPath, "--reuid", id, "--regid", id, "--clear-groups", "--inh-caps=-all", "--" })
            {
                a.Add(s);
            }
        }

        if (isolated)
        {
            AddBwrap(a, caps.BwrapPath!, limits, filterFd);
        }

        a.Add(python);
        a.Add("-I");
        a.Add("-c");
        a.Add(Bootstrap.Source);
        a.Add(markerFd.ToString(CultureInfo.InvariantCulture));
        a.Add(token);
        long addressSpace = limits.MemoryBytes;
        long cpuSeconds = Math.Max(1, (long)Math.Ceiling(limits.Cpu.TotalSeconds));
        foreach (long v in new[] { addressSpace, limits.FileBytes, limits.OpenFiles, cpuSeconds, limits.Processes })
        {
            a.Add(v.ToString(CultureInfo.InvariantCulture));
        }

        return psi;
    }

    private static void AddBwrap(ICollection<string> a, string bwrap, SandboxLimits limits, int filterFd)
    {
        string inv(long v) => v.ToString(CultureInfo.InvariantCulture);
        string inner = inv(SandboxProbe.NobodyId);
        string[] fixedArgs =
        [
            bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "HOME", "/tmp", "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--uid", inner, "--gid", inner,
            "--hostname", "sandbox", "--ro-bind", "/usr", "/usr",
        ];
        foreach (string s in fixedArgs)
        {
            a.Add(s);
        }

        // Merged-/usr hosts have these as symlinks; older ones have real directories.
        foreach (string link in RootLinks)
        {
            var info = new FileInfo(link);
            if (info.LinkTarget is { } target)
            {
                a.Add("--symlink");
                a.Add(target);
                a.Add(link);
            }
            else if (Directory.Exists(link))
            {
                a.Add("--ro-bind");
                a.Add(link);
                a.Add(link);
            }
        }

        string[] tail =
        [
            "--dir", "/etc", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--proc", "/proc", "--dev", "/dev", "--size", inv(limits.TmpBytes), "--perms", "1777", "--tmpfs", "/tmp",
            "--chdir", "/tmp", "--remount-ro", "/dev", "--remount-ro", "/", "--seccomp", inv(filterFd), "--",
        ];
        foreach (string s in tail)
        {
            a.Add(s);
        }
    }

    /// <summary>Keeps the first cap bytes, then drains and discards so the writer never blocks on a full pipe.</summary>
    private static async Task<Capture> CaptureAsync(Stream stream, int cap, CancellationToken ct)
    {
        var kept = new byte[cap];
        int count = 0;
        bool truncated = false;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int n = count < cap
                    ? await stream.ReadAsync(kept.AsMemory(count), ct).ConfigureAwait(false)
                    : await stream.ReadAsync(scratch, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (count < cap)
                {
                    count += n;
                }
                else
                {
                    truncated = true;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped reading: the sandbox is being destroyed.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return new Capture(kept.AsMemory(0, count), truncated);
    }
}
