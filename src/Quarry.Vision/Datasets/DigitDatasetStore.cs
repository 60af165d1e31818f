using System.IO.Compression;
using System.Security.Cryptography;
using Quarry.Core.Datasets;

namespace Quarry.Vision.Datasets;

/// <summary>Where the four files of a dataset were found.</summary>
public sealed record DatasetPaths(string TrainImages, string TrainLabels, string TestImages, string TestLabels);

/// <summary>
/// Finds a dataset's idx files: in a folder the user names (never downloading), else in
/// <c>&lt;data dir&gt;/datasets/&lt;dataset&gt;/</c> (gzip or raw, the published names), else downloads them there from the
/// first mirror that serves a file whose MD5 matches.
/// </summary>
public sealed class DigitDatasetStore(DatasetFetcher fetcher)
{
    /// <summary>The cache folder of <paramref name="dataset"/> under <paramref name="dataDir"/>.</summary>
    public static string CacheFolder(string dataDir, DigitDataset dataset) =>
        Path.Combine(Path.GetFullPath(dataDir), "datasets", dataset.Name);

    /// <summary>
    /// Resolves the four files. <paramref name="log"/> hears a line per download (as the original's loader printed);
    /// <paramref name="progress"/> gives a progress sink per file.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing from <paramref name="datasetDir"/>.</exception>
    /// <exception cref="IOException">No mirror served a good copy; the message lists what each said.</exception>
    public async Task<DatasetPaths> ResolveAsync(
        DigitDataset dataset, string dataDir, string? datasetDir, IReadOnlyList<string>? mirrors, TextWriter log,
        Func<string, IProgress<TransferProgress>?>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(log);
        var paths = new string[4];
        if (datasetDir is not null)
        {
            var folder = Path.GetFullPath(datasetDir);
            for (var i = 0; i < 4; i++)
            {
                var file = dataset.Files[i];
                paths[i] = Existing(folder, file) ?? throw new FileNotFoundException(
                    $"{Path.Combine(folder, file.RawName)}: not found (nor {file.Name}); --dataset-dir must hold the four idx files of {dataset.Name}");
            }
        }
        else
        {
            var folder = CacheFolder(dataDir, dataset);
            for (var i = 0; i < 4; i++)
            {
                var file = dataset.Files[i];
                paths[i] = Existing(folder, file)
                    ?? await DownloadAsync(dataset, file, folder, mirrors is { Count: > 0 } ? mirrors : dataset.Mirrors, log, progress, cancellationToken);
            }
        }

        return new DatasetPaths(paths[0], paths[1], paths[2], paths[3]);
    }

    /// <summary>True when <paramref name="path"/>'s MD5, or that of its decompressed content, is the published one.</summary>
    public static bool Matches(string path, DatasetFile file)
    {
        using (var stream = File.OpenRead(path))
        {
            if (Hex(MD5.HashData(stream)) == file.GzipMd5)
            {
                return true;
            }
        }

        if (file.ContentMd5 is null)
        {
            return false;
        }

        try
        {
            using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            return Hex(MD5.HashData(stream)) == file.ContentMd5;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static string? Existing(string folder, DatasetFile file)
    {
        foreach (var name in new[] { file.RawName, file.Name })
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private async Task<string> DownloadAsync(
        DigitDataset dataset, DatasetFile file, string folder, IReadOnlyList<string> mirrors, TextWriter log,
        Func<string, IProgress<TransferProgress>?>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, file.Name);
        var failures = new List<string>();
        foreach (var mirror in mirrors)
        {
            if (!Uri.TryCreate(mirror.TrimEnd('/') + "/" + file.Name, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{mirror}: not an http(s) address");
                continue;
            }

            await log.WriteLineAsync($"Downloading {uri} to {target}");
            try
            {
                await fetcher.DownloadAsync(uri, target, progress?.Invoke(file.Name), cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{uri}: {Reason(e)}");
                continue;
            }

            if (Matches(target, file))
            {
                return target;
            }

            File.Delete(target);
            failures.Add($"{uri}: MD5 does not match the published {file.GzipMd5}");
        }

        throw new IOException($"{target}: could not download {dataset.Name}'s {file.Name} from any mirror ({string.Join("; ", failures)})");
    }

    private static string Reason(Exception e) => e switch
    {
        HttpRequestException { StatusCode: { } status } => $"answered {(int)status} {status}",
        HttpRequestException { InnerException: { } inner } => inner.Message,
        TaskCanceledException => "timed out",
        _ => e.Message,
    };

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
