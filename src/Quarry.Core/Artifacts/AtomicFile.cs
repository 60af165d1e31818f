namespace Quarry.Core.Artifacts;

/// <summary>Writes a file so readers see either the old content or the complete new content, never a part.</summary>
public static class AtomicFile
{
    /// <summary>Writes to a temporary file beside <paramref name="path"/>, flushes it to disk, then renames it into place.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            FlushDirectory(directory);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes text atomically (UTF-8, no byte order mark).</summary>
    public static Task WriteTextAsync(string path, string text, CancellationToken cancellationToken = default) =>
        WriteAsync(path, async (stream, ct) =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            await stream.WriteAsync(bytes, ct);
        }, cancellationToken);

    private static void FlushDirectory(string directory)
    {
        // The rename itself is durable only once the directory entry is on disk.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse to open directories; the data itself was already flushed.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
