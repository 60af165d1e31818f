using System.Globalization;

namespace Quarry.Bench.Jobs;

/// <summary>CPU time of processes read from /proc (Linux): a process alone, or a process with all its descendants.</summary>
internal static class ProcessCpu
{
    // USER_HZ, the unit of the /proc/<pid>/stat times, is 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of one process, in seconds; 0 when it is gone.</summary>
    public static double Own(int pid) => Read(pid) is { } stat ? (stat.User + stat.System) / TicksPerSecond : 0;

    /// <summary>CPU of the process and every live descendant, plus the reaped children each of them waited for, in seconds.</summary>
    public static double Tree(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
            {
                if (!children.TryGetValue(stat.Parent, out var list))
                {
                    children[stat.Parent] = list = [];
                }

                list.Add(pid);
            }
        }

        var total = 0L;
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            if (Read(pid) is { } stat)
            {
                total += stat.User + stat.System + stat.ChildrenUser + stat.ChildrenSystem;
            }

            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return total / TicksPerSecond;
    }

    private static (int Parent, long User, long System, long ChildrenUser, long ChildrenSystem)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses; the fields after its closing parenthesis start at "state".
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        static long At(string[] f, int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return ((int)At(fields, 4), At(fields, 14), At(fields, 15), At(fields, 16), At(fields, 17));
    }
}
