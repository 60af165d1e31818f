namespace Quarry.Playground.Tests;

/// <summary>Looks at the host's process table from outside the sandboxes.</summary>
internal static class Host
{
    public static bool AnyCommandLineContains(string mark) => Directory.EnumerateDirectories("/proc")
        .Where(d => int.TryParse(Path.GetFileName(d), out _))
        .Any(d => ReadOrEmpty(Path.Combine(d, "cmdline")).Contains(mark, StringComparison.Ordinal));

    /// <summary>Polls the condition until it holds or the deadline passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan deadline)
    {
        long until = Environment.TickCount64 + (long)deadline.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > until)
            {
                return false;
            }

            await Task.Delay(25);
        }

        return true;
    }

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
