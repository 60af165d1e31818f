using System.Globalization;

namespace Quarry.Vision.Service.Local;

/// <summary>
/// Caps a child process's CPU with a cgroup of its own: cgroup v2 <c>cpu.max</c>, or the v1 CFS quota. Where no cgroup
/// can be written, <see cref="Available"/> is false and <see cref="Reason"/> says why; callers fall back to nice and one thread.
/// </summary>
internal sealed class CpuCgroup
{
    private const string Root = "/sys/fs/cgroup";
    private const int Period = 100_000;
    private readonly string? _parent;
    private readonly bool _v2;

    private CpuCgroup(string? parent, bool v2, string? reason)
    {
        _parent = parent;
        _v2 = v2;
        Reason = reason;
    }

    /// <summary>True when limits can be applied.</summary>
    public bool Available => _parent is not null;

    /// <summary>Why limits cannot be applied, or null.</summary>
    public string? Reason { get; }

    /// <summary>Finds a writable CPU controller and makes this server's parent group for jobs under it.</summary>
    public static CpuCgroup Detect(string name)
    {
        var own = File.Exists("/proc/self/cgroup") ? File.ReadAllLines("/proc/self/cgroup") : [];
        var notes = new List<string>();
        try
        {
            var unified = own.FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
            var controllers = Path.Combine(Root, "cgroup.controllers");
            if (unified is not null && File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', StringSplitOptions.TrimEntries).Contains("cpu"))
            {
                var parent = Path.Combine(Root + unified, name);
                var cgroup = new CpuCgroup(parent, v2: true, null);
                cgroup.EnsureParent();
                Directory.Delete(parent); // made again by the first job: a server that runs none leaves nothing behind
                return cgroup;
            }

            notes.Add("cgroup v2 has no cpu controller here");
            var v1 = own.Select(l => l.Split(':', 3)).FirstOrDefault(p => p.Length == 3 && p[1].Split(',').Contains("cpu"));
            if (v1 is not null && File.Exists(Path.Combine(Root, "cpu", "cpu.cfs_quota_us")))
            {
                var parent = Path.Combine(Root, "cpu") + v1[2].TrimEnd('/') + "/" + name;
                var cgroup = new CpuCgroup(parent, v2: false, null);
                cgroup.EnsureParent();
                Directory.Delete(parent);
                return cgroup;
            }

            notes.Add("no cgroup v1 cpu controller is mounted");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"cannot write a cgroup ({e.Message})");
        }

        return new CpuCgroup(null, false, string.Join("; ", notes));
    }

    /// <summary>Creates the group <paramref name="job"/> limited to <paramref name="cores"/> CPUs and moves <paramref name="pid"/> into it.</summary>
    public string Limit(string job, int pid, double cores)
    {
        var dir = Path.Combine(_parent ?? throw new InvalidOperationException(Reason), job);
        EnsureParent();
        Directory.CreateDirectory(dir);
        var quota = Math.Max(1000, (int)Math.Round(cores * Period)).ToString(CultureInfo.InvariantCulture);
        if (_v2)
        {
            File.WriteAllText(Path.Combine(dir, "cpu.max"), $"{quota} {Period}");
        }
        else
        {
            File.WriteAllText(Path.Combine(dir, "cpu.cfs_period_us"), Period.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(dir, "cpu.cfs_quota_us"), quota);
        }

        File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        return dir;
    }

    /// <summary>Removes a job's group once its processes are gone, and this server's parent group when no job is left in it.</summary>
    public void Release(string? dir)
    {
        Remove(dir);
        if (dir is not null)
        {
            Remove(_parent);
        }
    }

    private void EnsureParent()
    {
        Directory.CreateDirectory(_parent!);
        if (_v2)
        {
            File.WriteAllText(Path.Combine(_parent!, "cgroup.subtree_control"), "+cpu");
        }
    }

    /// <summary>The quota a job's group holds, as written (for tests and diagnostics).</summary>
    public static string ReadQuota(string dir) =>
        File.Exists(Path.Combine(dir, "cpu.max")) ? File.ReadAllText(Path.Combine(dir, "cpu.max")).Trim()
            : $"{File.ReadAllText(Path.Combine(dir, "cpu.cfs_quota_us")).Trim()} {File.ReadAllText(Path.Combine(dir, "cpu.cfs_period_us")).Trim()}";

    private static void Remove(string? dir)
    {
        if (dir is null)
        {
            return;
        }

        try
        {
            Directory.Delete(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still busy (a straggler process); the next start cleans nothing, the kernel keeps an empty group cheaply.
        }
    }
}
