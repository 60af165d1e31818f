using Quarry.Core.Hosting;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

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

    [Fact]
    public async Task Mine_writes_every_frequent_itemset_of_a_fimi_file_with_its_count()
    {
        using var dir = new TempDirectory();
        var input = Path.Combine(dir.Path, "baskets.dat");
        var output = Path.Combine(dir.Path, "itemsets.txt");
        await File.WriteAllTextAsync(input, "1 2 3\n1 2\n2 3\n1 2 3 9\n\n", TestContext.Current.CancellationToken);

        var (code, log) = await QuarryProcess.RunAsync("quarry.dll", "mine", input, "--min-support", "40%", "--out", output);

        Assert.True(code == 0, log);
        Assert.Contains("7 frequent itemsets (min count 2 of 5 transactions)", log, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(output, TestContext.Current.CancellationToken))
            .Select(l => l.Split(" (")).ToDictionary(p => string.Join(' ', p[0].Split(' ').Order(StringComparer.Ordinal)), p => p[1]);
        Assert.Equal(new Dictionary<string, string>
        {
            ["1"] = "3)", ["2"] = "4)", ["3"] = "3)", ["1 2"] = "3)", ["2 3"] = "3)", ["1 3"] = "2)", ["1 2 3"] = "2)",
        }, lines);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("150%")]
    [InlineData("abc")]
    public async Task Mine_refuses_a_bad_support_with_a_message(string support)
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "mine", "/nonexistent.dat", "--min-support", support);
        Assert.Equal(1, code);
        Assert.Contains("error: --min-support", output, StringComparison.Ordinal);
    }
}
