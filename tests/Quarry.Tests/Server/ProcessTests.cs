using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Server;

/// <summary>The server as people run it: a child process, signals, environment variables, logs.</summary>
public sealed partial class ProcessTests
{
    private const int Sigterm = 15;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_answers_health_and_problem_json_then_exits_0_on_sigterm()
    {
        using var dir = new TempDirectory();
        var dataDir = Path.Combine(dir.Path, "nested", "data");
        await using var quarry = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["QUARRY_DATA_DIR"] = dataDir });
        var address = await quarry.WaitForListeningAsync();
        using var client = new HttpClient { BaseAddress = address };

        using (var health = await client.GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using (var post = await client.PostAsync("/healthz", null, Ct))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        }

        Assert.True(Directory.Exists(dataDir), "QUARRY_DATA_DIR is created when missing");
        quarry.Signal(Sigterm);
        Assert.Equal(0, await quarry.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Sigterm_lets_the_in_flight_request_finish_while_readyz_says_503()
    {
        using var dir = new TempDirectory();
        await using var server = QuarryProcess.Start("Quarry.TestServer.dll", ["http://127.0.0.1:0", dir.Path]);
        var address = await server.WaitForListeningAsync();
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

        await Wait.UntilAsync(async () =>
        {
            using var ready = await client.GetAsync("/readyz", Ct);
            return ready.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the server to be ready");

        var slow = client.GetAsync("/test/slow?ms=3000", Ct);
        await server.WaitForOutputAsync(SlowStarted(), TimeSpan.FromSeconds(30));

        server.Signal(Sigterm);

        var sawUnready = false;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                using var ready = await client.GetAsync("/readyz", Ct);
                if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct)).RootElement;
                    Assert.Equal("unready", body.GetProperty("status").GetString());
                    sawUnready = true;
                }
            }
            catch (HttpRequestException)
            {
                return true; // the listener closed: the drain is over
            }

            return sawUnready || slow.IsCompleted;
        }, TimeSpan.FromSeconds(30), "readyz to answer 503 or the slow request to finish");

        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("slept 3000 ms", await response.Content.ReadAsStringAsync(Ct));
        Assert.True(sawUnready, "readyz answered 503 while the request was in flight");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches(DrainStarted(), server.Output);
    }

    [Fact]
    public async Task Json_log_format_writes_one_json_object_per_line()
    {
        using var dir = new TempDirectory();
        await using var quarry = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path],
            new Dictionary<string, string> { ["QUARRY_LOG_FORMAT"] = "json" });
        await quarry.WaitForListeningAsync();
        quarry.Signal(Sigterm);
        Assert.Equal(0, await quarry.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = quarry.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var entry = JsonDocument.Parse(line).RootElement;
            Assert.True(entry.TryGetProperty("LogLevel", out _), line);
            Assert.True(entry.TryGetProperty("Timestamp", out _), line);
        }
    }

    [Fact]
    public async Task Unwritable_data_dir_fails_at_start_naming_the_variable()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "a-file");
        await File.WriteAllTextAsync(file, "x", Ct);
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "serve", "--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(file, "data"));
        Assert.NotEqual(0, code);
        Assert.Contains("QUARRY_DATA_DIR", output, StringComparison.Ordinal);
    }

    [GeneratedRegex("slow request started")]
    private static partial Regex SlowStarted();

    [GeneratedRegex("Shutdown requested")]
    private static partial Regex DrainStarted();
}
