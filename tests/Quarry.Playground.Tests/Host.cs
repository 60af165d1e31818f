namespace Quarry.Playground.Tests;

/// <summary>Looks at the host's process table from outside the sandboxes.</summary>
internal static class Host
{
    public static bool AnyCommandLineContains(string mark) => Directory.EnumerateDirectories("/proc")
        .Where(d => int.TryParse(Path.GetFileName(d), out _))
        .Any(d => ReadOrEmpty(Path.Combine(d, "cmdline")).Contains(mark, StringComparison.Ordinal));

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
