namespace Quarry.TestSupport;

/// <summary>A fresh directory under the system temp directory, removed with everything in it when disposed. The one temp helper of the tests.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="prefix">Start of the directory's name, to tell whose leftovers are whose.</param>
    public TempDirectory(string prefix = "quarry-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>The path of <paramref name="name"/> (a file or subdirectory, not created) inside this directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A child process may still hold a file; the system cleans its temp directory eventually.
        }
    }
}
