using System.CommandLine;

namespace Quarry.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public const string DataDirVariable = "QUARRY_DATA_DIR";

    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = $"Directory for models, datasets and embedded stores, created if missing (env {DataDirVariable}; default ./quarry-data).",
    };
}
