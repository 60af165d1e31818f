namespace Quarry.Core.Artifacts;

/// <summary>
/// A folder holding one kind of model: artifacts named <c>{prefix}-{unix ns}.{extension}</c> and the checkpoint
/// file naming the current one. Trainers publish here; servers watch it.
/// </summary>
public sealed class ArtifactDirectory
{
    /// <summary>The checkpoint's file name, as the original ML processor wrote it.</summary>
    public const string CheckpointFileName = "ml_processor_checkpoint.txt";

    private readonly string _prefix;
    private readonly string _extension;

    /// <summary>Describes the folder; nothing is created until something is published.</summary>
    public ArtifactDirectory(string path, string prefix, string extension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(extension);
        Path = System.IO.Path.GetFullPath(path);
        _prefix = prefix;
        _extension = extension.TrimStart('.');
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Full path of the checkpoint file.</summary>
    public string CheckpointPath => System.IO.Path.Combine(Path, CheckpointFileName);

    /// <summary>How many superseded artifacts to keep beside the current one (for rollback and for readers still loading).</summary>
    public int KeepPrevious { get; init; } = 2;

    /// <summary>Where the artifact of <paramref name="publication"/> lives.</summary>
    public string ArtifactPath(Publication publication)
    {
        ArgumentNullException.ThrowIfNull(publication);
        return System.IO.Path.Combine(Path, $"{_prefix}-{publication.UnixNanoseconds}.{_extension}");
    }

    /// <summary>The current checkpoint, or null when nothing was published; a malformed one throws <see cref="InvalidDataException"/>.</summary>
    public Publication? ReadCheckpoint()
    {
        string text;
        try
        {
            text = File.ReadAllText(CheckpointPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Publication.Parse(text);
    }

    /// <summary>
    /// Writes the artifact, then the checkpoint naming it, each atomically, so a reader that sees the new checkpoint
    /// always finds the complete artifact. Times are strictly increasing even when the clock is not.
    /// </summary>
    public async Task<Publication> PublishAsync(
        string version,
        string source,
        Func<Stream, CancellationToken, Task> writeArtifact,
        TimeProvider clock,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(writeArtifact);
        ArgumentNullException.ThrowIfNull(clock);

        Directory.CreateDirectory(Path);
        var previous = TryReadCheckpoint();
        var now = Publication.ToUnixNanoseconds(clock.GetUtcNow());
        var publication = new Publication(version, EscapeSource(source), Math.Max(now, (previous?.UnixNanoseconds ?? 0) + 1));

        await AtomicFile.WriteAsync(ArtifactPath(publication), writeArtifact, cancellationToken);
        await AtomicFile.WriteTextAsync(CheckpointPath, publication.Format() + "\n", cancellationToken);
        Prune(publication);
        return publication;
    }

    /// <summary>Spaces would split the checkpoint line, so they are percent-encoded.</summary>
    public static string EscapeSource(string source) => source.Replace("%", "%25", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal);

    private Publication? TryReadCheckpoint()
    {
        try
        {
            return ReadCheckpoint();
        }
        catch (InvalidDataException)
        {
            return null; // a damaged checkpoint is replaced by the new one
        }
    }

    private void Prune(Publication current)
    {
        var keep = ArtifactPath(current);
        var stale = Directory.EnumerateFiles(Path, $"{_prefix}-*.{_extension}")
            .Where(f => !string.Equals(f, keep, StringComparison.Ordinal))
            .OrderByDescending(f => f, StringComparer.Ordinal)
            .Skip(KeepPrevious);
        foreach (var file in stale)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A reader may still hold it; the next publication tries again.
            }
        }
    }
}
