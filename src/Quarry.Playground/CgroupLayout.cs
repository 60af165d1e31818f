namespace Quarry.Playground;

/// <summary>Where per-run cgroups can be created: one parent directory per usable controller.</summary>
internal sealed record CgroupLayout(string Mode, string? Memory, string? Pids, string? Cpu, IReadOnlyList<string> Notes)
{
    private const string Root = "/sys/fs/cgroup";

    public static CgroupLayout Detect()
    {
        var notes = new List<string>();
        var own = ReadOwnCgroups();
        var v2 = DetectV2(own, notes);
        if (v2 is not null)
        {
            return v2;
        }

        string? memory = UsableV1("memory", own, notes);
        string? pids = UsableV1("pids", own, notes);
        string? cpu = UsableV1("cpu", own, notes);
        if (memory is null && pids is null && cpu is null)
        {
            notes.Add("no writable cgroup controller: relying on rlimits only");
            return new CgroupLayout("none", null, null, null, notes);
        }

        return new CgroupLayout("v1", memory, pids, cpu, notes);
    }

    /// <summary>
    /// Creates one parent cgroup for a pool's runs beneath each usable controller: CPU weight a quarter of a normal process's,
    /// so busy sandboxes together cannot starve the server, and one memory cap for all runs together.
    /// Returns the layout to create run cgroups in and the directories to remove when the pool is gone.
    /// </summary>
    public (CgroupLayout Layout, IReadOnlyList<string> Created) CreatePoolParent(string name, long totalMemoryBytes)
    {
        var created = new List<string>();
        string? Make(string? parent)
        {
            if (parent is null)
            {
                return null;
            }

            string dir = Path.Combine(parent, name);
            if (!created.Contains(dir))
            {
                Directory.CreateDirectory(dir);
                created.Add(dir);
            }

            return dir;
        }

        try
        {
            string limit = totalMemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (Mode == "v2")
            {
                string dir = Make(Memory)!;
                File.WriteAllText(Path.Combine(dir, "cgroup.subtree_control"), "+memory +pids +cpu");
                File.WriteAllText(Path.Combine(dir, "cpu.weight"), "25");
                if (totalMemoryBytes > 0)
                {
                    File.WriteAllText(Path.Combine(dir, "memory.max"), limit);
                }

                return (this with { Memory = dir, Pids = dir, Cpu = dir }, created);
            }

            string? memory = Make(Memory), pids = Make(Pids), cpu = Make(Cpu);
            if (memory is not null && totalMemoryBytes > 0)
            {
                File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), limit);
            }

            if (cpu is not null)
            {
                File.WriteAllText(Path.Combine(cpu, "cpu.shares"), "256");
            }

            return (this with { Memory = memory, Pids = pids, Cpu = cpu }, created);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveDirectories(created);
            return (this with { Notes = [.. Notes, $"no pool parent cgroup ({e.Message}): runs are created directly under the server's"] }, []);
        }
    }

    /// <summary>Removes empty cgroup directories, deepest first; ones still in use are left.</summary>
    public static void RemoveDirectories(IReadOnlyList<string> dirs)
    {
        for (int i = dirs.Count - 1; i >= 0; i--)
        {
            try
            {
                Directory.Delete(dirs[i]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static CgroupLayout? DetectV2(Dictionary<string, string> own, List<string> notes)
    {
        string mount = File.Exists(Path.Combine(Root, "cgroup.controllers")) ? Root : Path.Combine(Root, "unified");
        string controllersFile = Path.Combine(mount, "cgroup.controllers");
        if (!File.Exists(controllersFile) || !own.TryGetValue("", out string? path))
        {
            return null;
        }

        string[] available = File.ReadAllText(controllersFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] wanted = ["memory", "pids", "cpu"];
        if (!wanted.All(available.Contains))
        {
            notes.Add($"cgroup v2 at {mount} lacks controllers ({string.Join(",", wanted.Except(available))}); trying v1");
            return null;
        }

        // v2 only allows controllers in children of a cgroup that holds no processes itself.
        string parent = Path.Combine(mount + path, "quarry-playground");
        try
        {
            Directory.CreateDirectory(parent);
            File.WriteAllText(Path.Combine(mount + path, "cgroup.subtree_control"), "+memory +pids +cpu");
            File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+memory +pids +cpu");
            string probe = Path.Combine(parent, "probe-" + Environment.ProcessId);
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return new CgroupLayout("v2", parent, parent, parent, notes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"cgroup v2 at {mount} not delegable here ({e.Message}); trying v1");
            return null;
        }
    }

    private static string? UsableV1(string controller, Dictionary<string, string> own, List<string> notes)
    {
        string mount = Path.Combine(Root, controller);
        if (!File.Exists(Path.Combine(mount, "cgroup.procs")))
        {
            notes.Add($"cgroup v1 {controller} not mounted");
            return null;
        }

        string parent = mount + (own.TryGetValue(controller, out string? path) ? path : "/");
        string probe = Path.Combine(parent, "quarry-probe-" + Environment.ProcessId);
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return parent;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"cgroup v1 {controller} not writable ({e.Message})");
            return null;
        }
    }

    private static Dictionary<string, string> ReadOwnCgroups()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists("/proc/self/cgroup"))
        {
            return map;
        }

        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            foreach (string controller in parts[1].Split(','))
            {
                map[controller] = parts[2];
            }
        }

        return map;
    }
}
