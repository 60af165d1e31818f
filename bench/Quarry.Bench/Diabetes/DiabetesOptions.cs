using System.Globalization;

namespace Quarry.Bench.Diabetes;

/// <summary>Command-line options of the diabetes suite.</summary>
internal sealed record DiabetesOptions(string DataPath, int Folds, int Seed)
{
    public static DiabetesOptions Parse(string[] args)
    {
        string? data = null;
        var folds = 10;
        var seed = 42;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = value; break;
                case "--folds": folds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}; options: --data PATH, --folds N, --seed N");
            }
        }

        return new DiabetesOptions(data ?? DefaultDataPath(), folds, seed);
    }

    /// <summary>../shared/data/diabetes/pima-indians-diabetes.csv relative to the repository root (the folder holding Quarry.slnx).</summary>
    private static string DefaultDataPath()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Quarry.slnx")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "diabetes", "pima-indians-diabetes.csv"));
                }
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "pima-indians-diabetes.csv");
    }
}
