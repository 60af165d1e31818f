namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>Paths in the repository the tests were built from.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Text(params string[] parts) => File.ReadAllText(Path(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Quarry.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Quarry.slnx above {AppContext.BaseDirectory}.");
    }
}
