using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Quarry.Tests.Infrastructure;

namespace Quarry.Tests.Playlists;

public sealed partial class ProbeTests
{
    private const int Sigint = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Single_probe_prints_version_model_date_and_indented_songs()
    {
        await using var server = await PlaylistServer.StartAsync();
        var publication = await server.PublishAsync("3.1.4");
        await server.WaitForModelAsync(publication);
        var seed = await TopSongAsync(server);

        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "probe", server.Server.BaseAddress.ToString(), seed);

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal($"Recommendation server v3.1.4 with model from {publication.ModelDate}.", lines[0]);
        Assert.Equal("Song recommendations:", lines[1]);
        Assert.True(lines.Length > 2);
        Assert.All(lines[2..], l => Assert.Matches("^    [^ ]", l));
    }

    [Fact]
    public async Task Single_probe_of_a_server_that_is_down_fails_clearly()
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "probe", "http://127.0.0.1:1", "song");
        Assert.Equal(1, code);
        Assert.Contains("failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Continuous_probe_shows_the_model_change_and_a_summary()
    {
        await using var server = await PlaylistServer.StartAsync();
        var first = await server.PublishAsync("1.0.0");
        await server.WaitForModelAsync(first);
        var seed = await TopSongAsync(server);

        await using var probe = QuarryProcess.Start("quarry.dll",
            ["probe", "-c", "--changes", "--interval", "50ms", "--duration", "120s", server.Server.BaseAddress.ToString(), seed]);
        await probe.WaitForOutputAsync(new Regex(Regex.Escape(first.ModelDate)), TimeSpan.FromSeconds(60));

        var second = await server.PublishAsync("1.1.0");
        await server.WaitForModelAsync(second);
        await probe.WaitForOutputAsync(new Regex(Regex.Escape(second.ModelDate)), TimeSpan.FromSeconds(60));
        probe.Signal(Sigint);
        Assert.Equal(0, await probe.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = probe.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("timestamp,response_ms,version,model_date", lines[0]);
        var rows = lines.Where(l => CsvRow().IsMatch(l)).ToArray();
        Assert.Equal([$"1.0.0,{first.ModelDate}", $"1.1.0,{second.ModelDate}"], rows.Select(r => string.Join(',', r.Split(',')[2..])));
        var summary = Summary().Match(probe.Output);
        Assert.True(summary.Success, probe.Output);
        Assert.Equal("0", summary.Groups["failures"].Value);
        Assert.True(int.Parse(summary.Groups["requests"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    private static async Task<string> TopSongAsync(PlaylistServer server)
    {
        var top = await server.Client.GetFromJsonAsync<JsonElement>("/api/playlists/songs?limit=1", Ct);
        return top.GetProperty("songs")[0].GetProperty("song").GetString()!;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T[\d:.]+Z,\d+\.\d,")]
    private static partial Regex CsvRow();

    [GeneratedRegex(@"requests=(?<requests>\d+) failures=(?<failures>\d+) longest_failure_window_ms=\d+ p50_ms=[\d.]+ p99_ms=[\d.]+")]
    private static partial Regex Summary();
}
