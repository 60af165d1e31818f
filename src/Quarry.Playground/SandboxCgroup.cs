using System.Globalization;

namespace Quarry.Playground;

/// <summary>The cgroup directories of one sandbox: created before launch, removed after the sandbox is dead.</summary>
internal sealed class SandboxCgroup
{
    private readonly List<string> _dirs = [];

    private SandboxCgroup()
    {
    }

    /// <summary>cgroup.procs files the launcher shell writes its own pid into before exec'ing bwrap.</summary>
    public IReadOnlyList<string> ProcsFiles => _dirs.Select(d => Path.Combine(d, "cgroup.procs")).ToList();

    public static SandboxCgroup? TryCreate(CgroupLayout? layout, SandboxLimits limits, string name)
    {
        if (layout is null || layout.Mode == "none")
        {
            return null;
        }

        var group = new SandboxCgroup();
        try
        {
            string inv(long v) => v.ToString(CultureInfo.InvariantCulture);
            if (layout.Mode == "v2")
            {
                string dir = group.Make(layout.Memory!, name);
                File.WriteAllText(Path.Combine(dir, "memory.max"), inv(limits.MemoryBytes));
                TryWrite(Path.Combine(dir, "memory.swap.max"), "0");
                File.WriteAllText(Path.Combine(dir, "pids.max"), inv(limits.Processes));
                File.WriteAllText(Path.Combine(dir, "cpu.max"), "100000 100000");
                return group;
            }

            if (layout.Memory is not null)
            {
                string dir = group.Make(layout.Memory, name);
                File.WriteAllText(Path.Combine(dir, "memory.limit_in_bytes"), inv(limits.MemoryBytes));
                TryWrite(Path.Combine(dir, "memory.memsw.limit_in_bytes"), inv(limits.MemoryBytes));
            }

            if (layout.Pids is not null)
            {
                string dir = group.Make(layout.Pids, name);
                File.WriteAllText(Path.Combine(dir, "pids.max"), inv(limits.Processes));
            }

            if (layout.Cpu is not null)
            {
                // One core at most per run, so one sandbox cannot starve the server on a small machine.
                string dir = group.Make(layout.Cpu, name);
                File.WriteAllText(Path.Combine(dir, "cpu.cfs_period_us"), "100000");
                File.WriteAllText(Path.Combine(dir, "cpu.cfs_quota_us"), "100000");
            }

            return group;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            group.RemoveNow();
            return null;
        }
    }

    /// <summary>Removes the directories, polling until the killed processes have left them or the deadline passes.</summary>
    public async Task RemoveAsync(TimeSpan deadline)
    {
        long until = Environment.TickCount64 + (long)deadline.TotalMilliseconds;
        while (true)
        {
            RemoveNow();
            if (_dirs.Count == 0 || Environment.TickCount64 > until)
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private void RemoveNow()
    {
        for (int i = _dirs.Count - 1; i >= 0; i--)
        {
            try
            {
                Directory.Delete(_dirs[i]);
                _dirs.RemoveAt(i);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private string Make(string parent, string name)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        _dirs.Add(dir);
        return dir;
    }

    private static void TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Swap accounting is often compiled out; the memory limit alone still holds.
        }
    }
}
