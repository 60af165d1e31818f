using Quarry.Core.Hosting;

namespace Quarry.Core.Tests.Hosting;

public sealed class ServerOptionsValidatorTests
{
    [Fact]
    public void Creates_a_missing_directory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "quarry-core-" + Guid.NewGuid().ToString("N"), "a", "b");
        try
        {
            var result = new ServerOptionsValidator().Validate(null, new ServerOptions { DataDir = dir });
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
            var result = new ServerOptionsValidator().Validate(null, new ServerOptions { DataDir = Path.Combine(file, "data") });
            Assert.True(result.Failed);
            Assert.Contains("QUARRY_DATA_DIR", result.FailureMessage, StringComparison.Ordinal);
            Assert.Contains("--data-dir", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Out_of_range_values_name_the_setting_its_range_and_the_value()
    {
        var result = new ServerOptionsValidator().Validate(null, new ServerOptions
        {
            DataDir = Path.GetTempPath(),
            MaxRequestBodyBytes = 10,
            ShutdownTimeout = TimeSpan.FromHours(1),
        });
        Assert.Equal(
            ["Quarry__MaxRequestBodyBytes must be from 1024 to 2147483648 (was 10)", "Quarry__ShutdownTimeout must be from 00:00:01 to 00:30:00 (was 01:00:00)"],
            result.Failures);
    }
}
