using Quarry.Core.Hosting;
using Quarry.TestSupport;

namespace Quarry.Core.Tests.Hosting;

public sealed class ServerOptionsValidatorTests
{
    [Fact]
    public void Creates_a_missing_directory()
    {
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "a", "b");
        var result = new ServerOptionsValidator().Validate(null, new ServerOptions { DataDir = dir });
        Assert.True(result.Succeeded);
        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public void A_path_under_a_file_fails_and_names_the_setting()
    {
        using var temp = new TempDirectory();
        var file = temp.File("a-file");
        File.WriteAllText(file, "");
        var result = new ServerOptionsValidator().Validate(null, new ServerOptions { DataDir = Path.Combine(file, "data") });
        Assert.True(result.Failed);
        Assert.Contains("QUARRY_DATA_DIR", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("--data-dir", result.FailureMessage, StringComparison.Ordinal);
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
