using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.Embedded;

internal static class BlockedPath
{
    /// <summary>A database path whose parent is a regular file, so it can never be created.</summary>
    public static string UnderRegularFile(this TempDirectory directory)
    {
        var blocker = directory.File("not-a-directory");
        File.WriteAllText(blocker, "");
        return Path.Combine(blocker, "jobs.db");
    }
}
