using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Quarry.Playlists.Data;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Playlists;

public sealed class TrainCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trains_once_then_does_nothing_until_forced()
    {
        using var dir = new TempDirectory();
        var csv = Path.Combine(dir.Path, "playlists.csv");
        var (made, makeOutput) = await QuarryProcess.RunAsync("quarry.dll", "datasets", "make", "playlists", "--out", csv, "--playlists", "1500", "--songs", "400");
        Assert.Equal(0, made);
        Assert.Contains("1,500 playlists", makeOutput, StringComparison.Ordinal);

        var data = Path.Combine(dir.Path, "data");
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--dataset", csv, "--data-dir", data, "--min-support", "0.02");
        Assert.Equal(0, code);
        Assert.Contains("Published model v", output, StringComparison.Ordinal);
        var checkpoint = Path.Combine(data, "playlists", "ml_processor_checkpoint.txt");
        var first = await File.ReadAllTextAsync(checkpoint, Ct);
        Assert.Matches(@"^\d+\.\d+\.\d+ /\S+playlists\.csv \d{19}\n$", first);

        (code, output) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--dataset", csv, "--data-dir", data, "--min-support", "0.02");
        Assert.Equal(0, code);
        Assert.Contains("nothing to do", output, StringComparison.Ordinal);
        Assert.Equal(first, await File.ReadAllTextAsync(checkpoint, Ct));

        (code, _) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--dataset", csv, "--data-dir", data, "--min-support", "0.02", "--force");
        Assert.Equal(0, code);
        Assert.NotEqual(first, await File.ReadAllTextAsync(checkpoint, Ct));
    }

    [Fact]
    public async Task Trains_from_an_http_url_given_by_DATASET_URL_and_keeps_the_download()
    {
        using var dir = new TempDirectory();
        var csv = Path.Combine(dir.Path, "served.csv");
        PlaylistGenerator.WriteFile(csv, new PlaylistGeneratorOptions { Playlists = 800, Songs = 300 }, Ct);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var files = builder.Build();
        files.MapGet("/data/playlists.csv", () => Results.File(csv, "text/csv", enableRangeProcessing: true));
        await files.StartAsync(Ct);
        var url = new Uri(new Uri(files.Urls.Single()), "/data/playlists.csv").ToString();

        var data = Path.Combine(dir.Path, "data");
        await using var train = QuarryProcess.Start("quarry.dll", ["train", "playlists", "--min-support", "0.03"],
            new Dictionary<string, string> { ["DATASET_URL"] = url, ["DATA_DIR"] = data });
        Assert.Equal(0, await train.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Published model v", train.Output, StringComparison.Ordinal);

        Assert.Equal(await File.ReadAllBytesAsync(csv, Ct), await File.ReadAllBytesAsync(Path.Combine(data, "datasets", "playlists.csv"), Ct));
        var checkpoint = await File.ReadAllTextAsync(Path.Combine(data, "playlists", "ml_processor_checkpoint.txt"), Ct);
        Assert.StartsWith($"{Core.Hosting.QuarryInfo.Version} {url} ", checkpoint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_dataset_and_missing_column_are_clear_errors()
    {
        using var dir = new TempDirectory();
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--data-dir", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("DATASET_URL", output, StringComparison.Ordinal);

        var csv = Path.Combine(dir.Path, "bad.csv");
        await File.WriteAllTextAsync(csv, "pid,name,artist_name\n1,x,y\n", Ct);
        (code, output) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--dataset", csv, "--data-dir", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("track_name", output, StringComparison.Ordinal);

        (code, output) = await QuarryProcess.RunAsync("quarry.dll", "train", "playlists", "--dataset", csv, "--data-dir", dir.Path, "--min-confidence", "1.5");
        Assert.Equal(1, code);
        Assert.Contains("--min-confidence", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dataset_generation_is_deterministic_for_a_seed()
    {
        using var dir = new TempDirectory();
        var a = Path.Combine(dir.Path, "a.csv");
        var b = Path.Combine(dir.Path, "b.csv");
        PlaylistGenerator.WriteFile(a, new PlaylistGeneratorOptions { Playlists = 300, Seed = 9 }, Ct);
        var (code, _) = await QuarryProcess.RunAsync("quarry.dll", "datasets", "make", "playlists", "--out", b, "--playlists", "300", "--seed", "9");
        Assert.Equal(0, code);
        Assert.Equal(await File.ReadAllBytesAsync(a, Ct), await File.ReadAllBytesAsync(b, Ct));
    }
}
