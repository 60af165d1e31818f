namespace Quarry.Jobs.Tests.Embedded;

/// <summary>A database path in a fresh temporary directory, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "quarry-embedded-jobs", Guid.NewGuid().ToString("N"));

    public TempDatabase() => Directory.CreateDirectory(_directory);

    public string Path => System.IO.Path.Combine(_directory, "jobs.db");

    /// <summary>A database path whose parent is a regular file, so it can never be created.</summary>
    public string UnderRegularFile()
    {
        var blocker = System.IO.Path.Combine(_directory, "not-a-directory");
        File.WriteAllText(blocker, "");
        return System.IO.Path.Combine(blocker, "jobs.db");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
