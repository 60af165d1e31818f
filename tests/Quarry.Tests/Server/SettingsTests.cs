using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Server;

/// <summary>
/// Every bad setting stops <c>serve</c>, <c>worker</c> and the one-shot commands before they do anything, with one
/// <c>error:</c> line naming the setting as it is written in the environment, its valid range and the value given, and
/// exit code 2: no stack trace, no "Hosting failed to start".
/// </summary>
public sealed class SettingsTests
{
    public static TheoryData<string, string, string, string> BadSettings() => new()
    {
        // command, variable, value, the one line expected
        { "serve", "Quarry__Playground__Limits__Wall", "00:20:00", "error: Quarry__Playground__Limits__Wall must be from 00:00:01 to 00:10:00 (was 00:20:00)" },
        { "serve", "Quarry__Jobs__LeaseDuration", "00:00:00", "error: Quarry__Jobs__LeaseDuration must be from 00:00:01 to 01:00:00 (was 00:00:00)" },
        { "serve", "Quarry__Movies__PollInterval", "-00:00:01", "error: Quarry__Movies__PollInterval must be from 00:00:00.01 to 01:00:00 (was -00:00:01)" },
        { "serve", "Quarry__ShutdownTimeout", "soon", "error: Quarry__ShutdownTimeout must be a time span such as 00:00:30 (was 'soon')" },
        { "serve", "Quarry__Playlists__Bootstrap", "maybe", "error: Quarry__Playlists__Bootstrap must be true or false (was 'maybe')" },
        { "serve", "Quarry__Jobs__Backend", "mongo", "error: Quarry__Jobs__Backend must be one of embedded, redis, rabbitmq (was 'mongo')" },
        { "serve", "Quarry__Vision__Executor", "slurm", "error: Quarry__Vision__Executor must be one of local, kubernetes (was 'slurm')" },
        { "serve", "Quarry__Vision__DatasetDir", "/nonexistent/mnist", "error: Quarry__Vision__DatasetDir must name an existing folder (was '/nonexistent/mnist')" },
        { "serve", "Quarry__Playground__EvaluatorUrl", "ftp://127.0.0.1/", "error: Quarry__Playground__EvaluatorUrl must be an absolute http:// or https:// URL (was 'ftp://127.0.0.1/')" },
        { "serve", "Quarry__Services", "movies,recipes", "error: Quarry__Services must list services from movies, predict, playlists, jobs, playground, vision (was 'movies,recipes': unknown recipes)" },
        { "worker", "Quarry__Jobs__Backend", "kafka", "error: Quarry__Jobs__Backend must be one of embedded, redis, rabbitmq (was 'kafka')" },
        { "worker", "Quarry__Jobs__MaxAttempts", "0", "error: Quarry__Jobs__MaxAttempts must be from 1 to 100 (was 0)" },
        { "worker", "Quarry__Jobs__RetryDelay", "1 second", "error: Quarry__Jobs__RetryDelay must be a time span such as 00:00:30 (was '1 second')" },
        { "worker", "Quarry__Jobs__RedisCaCertificate", "/nonexistent/ca.pem", "error: Quarry__Jobs__RedisCaCertificate must name an existing file (was '/nonexistent/ca.pem')" },
        { "train movies", "Quarry__Movies__Store", "mysql", "error: Quarry__Movies__Store must be one of sqlite, postgres (was 'mysql')" },
        { "train movies", "Quarry__MaxRequestBodyBytes", "12", "error: Quarry__MaxRequestBodyBytes must be from 1024 to 2147483648 (was 12)" },
        { "train movies", "Quarry__DrainDelay", "later", "error: Quarry__DrainDelay must be a time span such as 00:00:30 (was 'later')" },
        // settings under a section's former name are not silently ignored
        { "serve", "Playground__Limits__Wall", "00:00:05", "error: Playground__Limits__Wall is no longer read: the section is now Quarry__Playground (rename it to Quarry__Playground__Limits__Wall)" },
        { "serve", "Quarry__Classification__Executor", "local", "error: Quarry__Classification__Executor is no longer read: the section is now Quarry__Vision (rename it to Quarry__Vision__Executor)" },
        { "worker", "Quarry__Diabetes__PollInterval", "00:00:05", "error: Quarry__Diabetes__PollInterval is no longer read: the section is now Quarry__Predict (rename it to Quarry__Predict__PollInterval)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_start_up_with_one_line_naming_it(string command, string variable, string value, string expected)
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string> { [variable] = value };
        if (variable == "Quarry__Jobs__RedisCaCertificate")
        {
            env["Quarry__Jobs__Backend"] = "redis";
            env["Quarry__Jobs__Redis"] = "redis://127.0.0.1:9";
        }

        string[] args = [.. command.Split(' '), "--data-dir", dir.Path, .. command == "serve" ? new[] { "--urls", "http://127.0.0.1:0" } : []];
        await using var process = QuarryProcess.Start("quarry.dll", args, env);
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertOneLine(process.Output, expected);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    [InlineData("train movies")]
    public async Task A_data_dir_that_cannot_be_created_is_a_bad_setting_too(string command)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "a-file");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);
        var dataDir = Path.Combine(file, "data");
        await using var process = QuarryProcess.Start("quarry.dll", [.. command.Split(' '), "--data-dir", dataDir]);
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertOneLine(process.Output, $"error: Quarry__DataDir (--data-dir, QUARRY_DATA_DIR) must be a folder that can be created and written (was '{dataDir}'");
    }

    [Fact]
    public async Task Several_bad_settings_are_all_named_one_line_each()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string>
        {
            ["Quarry__Jobs__Backend"] = "rabbitmq",
            ["Quarry__Jobs__RabbitMq"] = "http://127.0.0.1:5672/",
        };
        await using var process = QuarryProcess.Start("quarry.dll", ["worker", "--data-dir", dir.Path], env);
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                "error: Quarry__Jobs__RabbitMq must be an absolute amqp:// or amqps:// URL (was 'http://127.0.0.1:5672/')",
                "error: Quarry__Jobs__Postgres must be set, e.g. \"Host=127.0.0.1;Username=quarry;Password=...;Database=quarry\" (was empty)",
            ],
            lines);
    }

    private static void AssertOneLine(string output, string expectedStart)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith(expectedStart, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }
}
