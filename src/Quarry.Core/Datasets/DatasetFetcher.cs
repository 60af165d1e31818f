using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Quarry.Core.Datasets;

/// <summary>Resolves a dataset source (local path, file:// or http(s) URL) to a local file, downloading with resume.</summary>
public sealed partial class DatasetFetcher
{
    private const int CopyBufferSize = 128 * 1024;

    private readonly HttpClient _http;
    private readonly ILogger _logger;

    /// <summary>Uses <paramref name="http"/> for downloads; the caller owns and disposes it.</summary>
    public DatasetFetcher(HttpClient http, ILogger<DatasetFetcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Consecutive failed attempts without progress before a download gives up.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Wait before the first retry; doubled for each further consecutive failure.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Returns a local path for <paramref name="source"/>, downloading http(s) sources into <c>dataDir/datasets</c>.</summary>
    /// <exception cref="FileNotFoundException">A local source does not exist.</exception>
    /// <exception cref="HttpRequestException">The server refused the download (the message has the status and URL).</exception>
    public async Task<string> FetchAsync(
        string source, string dataDir, IProgress<TransferProgress>? progress = null, bool force = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        source = source.Trim();
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            return ResolveLocal(uri is { IsFile: true } ? uri.LocalPath : source);
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new NotSupportedException($"Dataset source '{source}' uses the unsupported scheme '{uri.Scheme}'; set DATASET_URL or --dataset to an http(s) URL, a file:// URL or a local path.");
        }

        var directory = Path.Combine(Path.GetFullPath(dataDir), "datasets");
        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, FileNameFor(uri));
        var part = target + ".part";
        if (File.Exists(target) && !force)
        {
            LogReused(_logger, target, uri);
            return target;
        }

        // A forced download keeps the old file until the new one replaces it.
        if (force && File.Exists(part))
        {
            File.Delete(part);
        }

        await DownloadAsync(uri, target, progress, ct).ConfigureAwait(false);
        return target;
    }

    /// <summary>
    /// Downloads <paramref name="uri"/> to <paramref name="target"/> through <c>target.part</c>, resuming a part left by an
    /// earlier attempt and retrying transient failures; the target appears only when complete.
    /// </summary>
    /// <exception cref="HttpRequestException">The server refused the download or could not be reached.</exception>
    public async Task DownloadAsync(Uri uri, string target, IProgress<TransferProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var part = target + ".part";
        await DownloadWithRetriesAsync(uri, part, progress, ct).ConfigureAwait(false);
        File.Move(part, target, overwrite: true);
        LogDownloaded(_logger, uri, target);
    }

    /// <summary>A safe local file name taken from the last segment of the URL path.</summary>
    internal static string FileNameFor(Uri uri)
    {
        var segment = Uri.UnescapeDataString(uri.AbsolutePath.TrimEnd('/'));
        segment = segment[(segment.LastIndexOfAny(['/', '\\']) + 1)..];
        var invalid = Path.GetInvalidFileNameChars();
        var chars = segment.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (Array.IndexOf(invalid, chars[i]) >= 0 || chars[i] is ':' or '\\' or '*' or '?' or '"' or '<' or '>' or '|' || char.IsControl(chars[i]))
            {
                chars[i] = '_';
            }
        }

        var name = new string(chars).Trim().Trim('.');
        return name.Length == 0 ? "dataset" : name;
    }

    private static string ResolveLocal(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new FileNotFoundException(
                $"The dataset '{full}' does not exist. Set DATASET_URL or --dataset to an existing file or directory, or to an http(s) URL.", full);
        }

        return full;
    }

    private async Task DownloadWithRetriesAsync(Uri uri, string part, IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        var failures = 0;
        while (true)
        {
            var before = PartLength(part);
            try
            {
                await DownloadOnceAsync(uri, part, progress, ct).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsTransient(e, ct))
            {
                // A failure after some progress starts the count again: a flaky link still finishes.
                failures = PartLength(part) > before ? 1 : failures + 1;
                if (failures >= MaxAttempts)
                {
                    throw;
                }

                var delay = RetryDelay * Math.Pow(2, failures - 1);
                LogRetry(_logger, uri, PartLength(part), e.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task DownloadOnceAsync(Uri uri, string part, IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        var existing = PartLength(part);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (existing > 0)
        {
            request.Headers.Range = new RangeHeaderValue(existing, null);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        long? total;
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = response.Content.Headers.ContentRange;
            if (range?.From != existing)
            {
                File.Delete(part);
                throw new IOException($"GET {uri} answered the range {range} to a request for bytes {existing}-; starting again.");
            }

            total = range.Length;
        }
        else if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
        {
            // The part file may already hold the whole file, e.g. when the rename was interrupted.
            if (response.Content.Headers.ContentRange?.Length == existing)
            {
                progress?.Report(new TransferProgress(existing, existing));
                return;
            }

            File.Delete(part);
            throw new IOException($"GET {uri} cannot resume at byte {existing}; starting again.");
        }
        else
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"Downloading the dataset failed: GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                    null,
                    response.StatusCode);
            }

            existing = 0;
            total = response.Content.Headers.ContentLength;
        }

        var bytes = await CopyToPartAsync(response.Content, part, existing, total, progress, ct).ConfigureAwait(false);
        if (total is { } expected && bytes != expected)
        {
            if (bytes > expected)
            {
                File.Delete(part);
            }

            throw new IOException($"GET {uri} ended after {bytes} of {expected} bytes.");
        }
    }

    private static async Task<long> CopyToPartAsync(
        HttpContent content, string part, long existing, long? total, IProgress<TransferProgress>? progress, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var mode = existing > 0 ? FileMode.Append : FileMode.Create;
            await using var file = new FileStream(part, mode, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using var body = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var bytes = existing;
            progress?.Report(new TransferProgress(bytes, total));
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBufferSize), ct).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                bytes += read;
                progress?.Report(new TransferProgress(bytes, total));
            }

            // Durable before the rename, so a crash never leaves a short file under the final name.
            file.Flush(flushToDisk: true);
            return bytes;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long PartLength(string part) => File.Exists(part) ? new FileInfo(part).Length : 0;

    private static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException => !ct.IsCancellationRequested,
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } status } =>
            (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        IOException and not FileNotFoundException and not DirectoryNotFoundException => true,
        _ => false,
    };

    [LoggerMessage(EventId = EventIds.DatasetFetcherReused, Level = LogLevel.Information, Message = "Dataset {Path} already downloaded from {Uri}; reusing it")]
    private static partial void LogReused(ILogger logger, string path, Uri uri);

    [LoggerMessage(EventId = EventIds.DatasetFetcherDownloaded, Level = LogLevel.Information, Message = "Downloaded dataset {Uri} to {Path}")]
    private static partial void LogDownloaded(ILogger logger, Uri uri, string path);

    [LoggerMessage(EventId = EventIds.DatasetFetcherRetry, Level = LogLevel.Warning, Message = "Download of {Uri} interrupted at {Bytes} bytes ({Reason}); resuming in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, Uri uri, long bytes, string reason, double delayMs);
}
