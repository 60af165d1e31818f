using Quarry.Core.Hosting;
using Quarry.TestSupport;

namespace Quarry.Core.Tests.Hosting;

public sealed class DataDirValidatorTests
{
    [Fact]
    public void Creates_a_missing_directory()
    {
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "a", "b");
        var result = new DataDirValidator().Validate(null, new ServerOptions { DataDir = dir });
        Assert.True(result.Succeeded);
        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public void A_path_under_a_file_fails_and_names_the_setting()
    {
        using var temp = new TempDirectory();
        var file = temp.File("a-file");
        File.WriteAllText(file, "");
        var result = new DataDirValidator().Validate(null, new ServerOptions { DataDir = Path.Combine(file, "data") });
        Assert.True(result.Failed);
        Assert.Contains("QUARRY_DATA_DIR", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("--data-dir", result.FailureMessage, StringComparison.Ordinal);
    }
}
