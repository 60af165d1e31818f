using Quarry.Core.Hosting;

namespace Quarry.Core.Tests.Hosting;

public sealed class DataDirValidatorTests
{
    [Fact]
    public void Creates_a_missing_directory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "quarry-core-" + Guid.NewGuid().ToString("N"), "a", "b");
        try
        {
            var result = new DataDirValidator().Validate(null, new ServerOptions { DataDir = dir });
            Assert.True(result.Succeeded);
            Assert.True(Directory.Exists(dir));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(dir))!, recursive: true);
        }
    }

    [Fact]
    public void A_path_under_a_file_fails_and_names_the_setting()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = new DataDirValidator().Validate(null, new ServerOptions { DataDir = Path.Combine(file, "data") });
            Assert.True(result.Failed);
            Assert.Contains("QUARRY_DATA_DIR", result.FailureMessage, StringComparison.Ordinal);
            Assert.Contains("--data-dir", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
