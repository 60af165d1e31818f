using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Quarry.Core.Datasets;
using Quarry.Learn.Data;
using Quarry.Vision.Datasets;
using Quarry.TestSupport;

namespace Quarry.Vision.Tests;

public sealed class DigitDatasetStoreTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly HttpClient _http = new();
    private readonly string _served;

    public DigitDatasetStoreTests()
    {
        _served = _folder.File("served");
        SyntheticImages.WriteMnistLayout(_served, train: 60, test: 20, seed: 1);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Downloads_from_the_next_mirror_when_one_is_down_then_uses_the_cache_offline()
    {
        var dataset = Served("digits");
        string base1;
        await using (var server = await FileServerAsync())
        {
            base1 = server.Urls.Single() + "/files/";
            var log = new StringWriter();
            var paths = await Store().ResolveAsync(dataset, _folder.File("data"), null, ["http://127.0.0.1:9/", base1], log, cancellationToken: Ct);

            Assert.Equal(Path.Combine(DigitDatasetStore.CacheFolder(_folder.File("data"), dataset), "train-images-idx3-ubyte.gz"), paths.TrainImages);
            Assert.Equal(File.ReadAllBytes(Path.Combine(_served, "t10k-labels-idx1-ubyte.gz")), File.ReadAllBytes(paths.TestLabels));
            Assert.Contains($"Downloading {base1}train-images-idx3-ubyte.gz to {paths.TrainImages}", log.ToString(), StringComparison.Ordinal);
            Assert.Equal(20, ImageSet.Load(paths.TestImages, paths.TestLabels).Count);
        }

        // The server is gone: the cached files are used and nothing is downloaded.
        var again = new StringWriter();
        var cached = await Store().ResolveAsync(dataset, _folder.File("data"), null, [base1], again, cancellationToken: Ct);
        Assert.Equal("", again.ToString());
        Assert.True(File.Exists(cached.TrainLabels));
    }

    [Fact]
    public async Task A_file_whose_md5_does_not_match_is_deleted_and_named()
    {
        var good = Served("digits");
        var dataset = good with { TrainLabels = good.TrainLabels with { GzipMd5 = new string('0', 32) } };
        await using var server = await FileServerAsync();
        var error = await Assert.ThrowsAsync<IOException>(() =>
            Store().ResolveAsync(dataset, _folder.File("data"), null, [server.Urls.Single() + "/files/"], TextWriter.Null, cancellationToken: Ct));

        var target = Path.Combine(DigitDatasetStore.CacheFolder(_folder.File("data"), dataset), "train-labels-idx1-ubyte.gz");
        Assert.StartsWith(target + ":", error.Message, StringComparison.Ordinal);
        Assert.Contains("MD5 does not match", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task A_recompressed_file_is_accepted_by_the_md5_of_its_content()
    {
        var original = Path.Combine(_served, "train-images-idx3-ubyte.gz");
        var content = Decompress(original);
        var dataset = Served("digits") with
        {
            TrainImages = new DatasetFile("train-images-idx3-ubyte.gz", new string('f', 32), Md5(content)),
        };
        await using (var gzip = new GZipStream(File.Create(original), CompressionLevel.SmallestSize))
        {
            await gzip.WriteAsync(content, Ct);
        }

        await using var server = await FileServerAsync();
        var paths = await Store().ResolveAsync(dataset, _folder.File("data"), null, [server.Urls.Single() + "/files/"], TextWriter.Null, cancellationToken: Ct);
        Assert.True(DigitDatasetStore.Matches(paths.TrainImages, dataset.TrainImages));
    }

    [Fact]
    public async Task Unreachable_mirrors_give_one_error_listing_each()
    {
        var error = await Assert.ThrowsAsync<IOException>(() => Store().ResolveAsync(
            DigitDataset.Kmnist, _folder.File("data"), null, ["http://127.0.0.1:9/a/", "ftp://example.invalid/"], TextWriter.Null, cancellationToken: Ct));
        Assert.Contains("could not download kmnist's train-images-idx3-ubyte.gz from any mirror", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9/a/train-images-idx3-ubyte.gz: Connection refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("ftp://example.invalid/: not an http(s) address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mirror_answering_404_is_reported_with_the_status()
    {
        await using var server = await FileServerAsync();
        var error = await Assert.ThrowsAsync<IOException>(() => Store().ResolveAsync(
            DigitDataset.Mnist, _folder.File("data"), null, [server.Urls.Single() + "/nothing/"], TextWriter.Null, cancellationToken: Ct));
        Assert.Contains("answered 404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_placed_by_hand_raw_or_gzip_are_used_as_they_are()
    {
        var cache = DigitDatasetStore.CacheFolder(_folder.File("data"), DigitDataset.Mnist);
        SyntheticImages.WriteMnistLayout(cache, train: 30, test: 10, seed: 4, gzip: false);
        var paths = await Store().ResolveAsync(DigitDataset.Mnist, _folder.File("data"), null, ["http://127.0.0.1:9/"], TextWriter.Null, cancellationToken: Ct);
        Assert.Equal(Path.Combine(cache, "train-images-idx3-ubyte"), paths.TrainImages);

        var own = _folder.File("own");
        SyntheticImages.WriteMnistLayout(own, train: 30, test: 10, seed: 4, gzip: true);
        paths = await Store().ResolveAsync(DigitDataset.Mnist, _folder.File("data"), own, null, TextWriter.Null, cancellationToken: Ct);
        Assert.Equal(Path.Combine(own, "t10k-labels-idx1-ubyte.gz"), paths.TestLabels);
    }

    [Fact]
    public async Task A_dataset_folder_missing_a_file_names_it_and_downloads_nothing()
    {
        var own = _folder.File("own");
        SyntheticImages.WriteMnistLayout(own, train: 30, test: 10, seed: 4);
        File.Delete(Path.Combine(own, "t10k-images-idx3-ubyte.gz"));
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() =>
            Store().ResolveAsync(DigitDataset.Mnist, _folder.File("data"), own, null, TextWriter.Null, cancellationToken: Ct));
        Assert.Contains(Path.Combine(own, "t10k-images-idx3-ubyte"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_names_are_found_case_insensitively_and_unknown_ones_are_not()
    {
        Assert.Same(DigitDataset.Mnist, DigitDataset.Find(" MNIST "));
        Assert.Same(DigitDataset.FashionMnist, DigitDataset.Find("fashion_mnist"));
        Assert.Same(DigitDataset.FashionMnist, DigitDataset.Find("FashionMNIST"));
        Assert.Null(DigitDataset.Find("cifar10"));
        Assert.Null(DigitDataset.Find(null));
    }

    private DigitDatasetStore Store() =>
        new(new DatasetFetcher(_http) { MaxAttempts = 1, RetryDelay = TimeSpan.FromMilliseconds(10) });

    private DigitDataset Served(string name)
    {
        DatasetFile File(string file) => new(file, Md5(System.IO.File.ReadAllBytes(Path.Combine(_served, file))), null);
        return new DigitDataset(name, [], File("train-images-idx3-ubyte.gz"), File("train-labels-idx1-ubyte.gz"),
            File("t10k-images-idx3-ubyte.gz"), File("t10k-labels-idx1-ubyte.gz"));
    }

    private async Task<WebApplication> FileServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/files/{name}", (string name) =>
        {
            var path = Path.Combine(_served, Path.GetFileName(name));
            return File.Exists(path) ? Results.File(path, "application/gzip", enableRangeProcessing: true) : Results.NotFound();
        });
        await app.StartAsync(Ct);
        return app;
    }

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    private static byte[] Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
