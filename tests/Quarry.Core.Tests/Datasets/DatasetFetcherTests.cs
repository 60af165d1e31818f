using System.Net;
using Quarry.Core.Datasets;
using Quarry.TestSupport;

namespace Quarry.Core.Tests.Datasets;

public sealed class DatasetFetcherTests : IDisposable
{
    private const int Size = 1_000_000;
    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Downloads_the_whole_file_under_data_dir_datasets()
    {
        await using var server = await FileServer.StartAsync(Payload());

        var path = await Fetcher().FetchAsync(server.At("/files/songs.csv").ToString(), _temp.Path, ct: Ct);

        Assert.Equal(Path.Combine(_temp.Path, "datasets", "songs.csv"), path);
        Assert.Equal(server.Content, await File.ReadAllBytesAsync(path, Ct));
        Assert.False(File.Exists(path + ".part"));
        var request = Assert.Single(server.Requests);
        Assert.Null(request.Range);
    }

    [Fact]
    public async Task Resumes_an_existing_part_file_with_a_range_request()
    {
        await using var server = await FileServer.StartAsync(Payload());
        const int have = 400_000;
        Directory.CreateDirectory(Path.Combine(_temp.Path, "datasets"));
        await File.WriteAllBytesAsync(Path.Combine(_temp.Path, "datasets", "songs.csv.part"), server.Content.AsMemory(0, have).ToArray(), Ct);
        var progress = new RecordingProgress();

        var path = await Fetcher().FetchAsync(server.At("/files/songs.csv").ToString(), _temp.Path, progress, ct: Ct);

        Assert.Equal(server.Content, await File.ReadAllBytesAsync(path, Ct));
        var request = Assert.Single(server.Requests);
        Assert.Equal($"bytes={have}-", request.Range);
        Assert.Equal((int)HttpStatusCode.PartialContent, request.Status);
        Assert.Equal(Size - have, request.ContentLength);
        Assert.Equal(have, progress.Reports[0].Bytes);
    }

    [Fact]
    public async Task Restarts_from_zero_when_the_server_ignores_the_range()
    {
        await using var server = await FileServer.StartAsync(Payload());
        Directory.CreateDirectory(Path.Combine(_temp.Path, "datasets"));
        await File.WriteAllBytesAsync(Path.Combine(_temp.Path, "datasets", "songs.csv.part"), new byte[1234], Ct);

        var path = await Fetcher().FetchAsync(server.At("/norange/songs.csv").ToString(), _temp.Path, ct: Ct);

        Assert.Equal(server.Content, await File.ReadAllBytesAsync(path, Ct));
        var request = Assert.Single(server.Requests);
        Assert.Equal((int)HttpStatusCode.OK, request.Status);
    }

    [Fact]
    public async Task Resumes_after_the_server_drops_the_connection()
    {
        await using var server = await FileServer.StartAsync(Payload(), dropAfter: 300_000);

        var path = await Fetcher().FetchAsync(server.At("/flaky/songs.csv").ToString(), _temp.Path, ct: Ct);

        Assert.Equal(server.Content, await File.ReadAllBytesAsync(path, Ct));
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[0].Range);
        Assert.NotNull(requests[1].Range);
        var resumedAt = long.Parse(requests[1].Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, 1, 300_000);
        Assert.Equal((int)HttpStatusCode.PartialContent, requests[1].Status);
    }

    [Fact]
    public async Task Retries_a_server_error()
    {
        await using var server = await FileServer.StartAsync(Payload());

        var path = await Fetcher().FetchAsync(server.At("/busy/songs.csv").ToString(), _temp.Path, ct: Ct);

        Assert.Equal(server.Content, await File.ReadAllBytesAsync(path, Ct));
        Assert.Equal([503, 200], server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task Not_found_is_a_clear_error_without_retries()
    {
        await using var server = await FileServer.StartAsync(Payload());
        var url = server.At("/missing/songs.csv").ToString();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Fetcher().FetchAsync(url, _temp.Path, ct: Ct));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "datasets", "songs.csv")));
    }

    [Fact]
    public async Task An_existing_download_is_reused_unless_forced()
    {
        await using var server = await FileServer.StartAsync(Payload());
        var existing = Path.Combine(_temp.Path, "datasets", "songs.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(existing)!);
        await File.WriteAllTextAsync(existing, "old", Ct);
        var url = server.At("/files/songs.csv").ToString();

        var reused = await Fetcher().FetchAsync(url, _temp.Path, ct: Ct);
        Assert.Equal(existing, reused);
        Assert.Equal("old", await File.ReadAllTextAsync(reused, Ct));
        Assert.Empty(server.Requests);

        var forced = await Fetcher().FetchAsync(url, _temp.Path, force: true, ct: Ct);
        Assert.Equal(server.Content, await File.ReadAllBytesAsync(forced, Ct));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Reports_progress_up_to_the_total()
    {
        await using var server = await FileServer.StartAsync(Payload());
        var progress = new RecordingProgress();

        await Fetcher().FetchAsync(server.At("/files/songs.csv").ToString(), _temp.Path, progress, ct: Ct);

        Assert.True(progress.Reports.Count >= 2);
        Assert.Equal(new TransferProgress(Size, Size), progress.Reports[^1]);
        Assert.All(progress.Reports.Zip(progress.Reports.Skip(1)), pair => Assert.True(pair.Second.Bytes >= pair.First.Bytes));
    }

    [Fact]
    public async Task A_local_path_is_returned_in_full_without_copying()
    {
        var file = Path.Combine(_temp.Path, "local.csv");
        Directory.CreateDirectory(_temp.Path);
        await File.WriteAllTextAsync(file, "pid,track_name\n", Ct);

        Assert.Equal(file, await Fetcher().FetchAsync(file, _temp.Path, ct: Ct));
        Assert.Equal(file, await Fetcher().FetchAsync(new Uri(file).AbsoluteUri, _temp.Path, ct: Ct));
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "datasets")));
    }

    [Fact]
    public async Task A_missing_local_path_names_the_path_and_the_setting()
    {
        var missing = Path.Combine(_temp.Path, "nope.csv");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => Fetcher().FetchAsync(missing, _temp.Path, ct: Ct));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("DATASET_URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("--dataset", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://h/data/spotify.csv", "spotify.csv")]
    [InlineData("http://h/data/my%20songs%3F.csv?x=1", "my songs_.csv")]
    [InlineData("http://h/a/..%2F..%2Fetc%2Fpasswd", "passwd")]
    [InlineData("http://h/", "dataset")]
    public void File_names_come_from_the_url_path_and_are_sanitised(string url, string expected)
    {
        Assert.Equal(expected, DatasetFetcher.FileNameFor(new Uri(url)));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DatasetFetcher Fetcher() => new(_http) { RetryDelay = TimeSpan.FromMilliseconds(1) };

    private static byte[] Payload()
    {
        var bytes = new byte[Size];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Records reports synchronously, unlike Progress&lt;T&gt; which posts them.</summary>
    private sealed class RecordingProgress : IProgress<TransferProgress>
    {
        public List<TransferProgress> Reports { get; } = [];

        public void Report(TransferProgress value) => Reports.Add(value);
    }
}
