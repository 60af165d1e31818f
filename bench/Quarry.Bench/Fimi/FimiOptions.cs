using System.Globalization;

namespace Quarry.Bench.Fimi;

/// <summary>Command-line options of the fimi suite.</summary>
internal sealed record FimiOptions(string DataDirectory, int Repeat, string? Only, int? ChildRun)
{
    public static FimiOptions Parse(string[] args)
    {
        string? data = null;
        string? only = null;
        int? child = null;
        var repeat = 5;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = value; break;
                case "--repeat": repeat = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--only": only = value; break;
                case "--child": child = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}; options: --data DIR, --repeat N, --only NAME");
            }

            i++;
        }

        return new FimiOptions(data ?? DefaultDataDirectory(), Math.Max(1, repeat), only, child);
    }

    /// <summary>../shared/data/fimi relative to the repository root (the folder holding Quarry.slnx).</summary>
    private static string DefaultDataDirectory()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Quarry.slnx")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "fimi"));
                }
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "data", "fimi");
    }
}
