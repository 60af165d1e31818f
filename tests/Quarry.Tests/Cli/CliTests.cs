using Quarry.Core.Hosting;
using Quarry.Tests.Infrastructure;

namespace Quarry.Tests.Cli;

public sealed class CliTests
{
    [Fact]
    public async Task Help_lists_serve()
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "--help");
        Assert.Equal(0, code);
        Assert.Contains("serve", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_describes_every_option()
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "serve", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--urls", output, StringComparison.Ordinal);
        Assert.Contains("--data-dir", output, StringComparison.Ordinal);
        Assert.Contains("QUARRY_DATA_DIR", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_informational_version()
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "--version");
        Assert.Equal(0, code);
        Assert.StartsWith(QuarryInfo.Version, output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_fails_with_a_message()
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "frobnicate");
        Assert.NotEqual(0, code);
        Assert.Contains("frobnicate", output, StringComparison.Ordinal);
    }
}
