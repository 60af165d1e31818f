using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Quarry.Core.Artifacts;

/// <summary>
/// Watches an artifact folder and, whenever the checkpoint names a newer model, loads it in the background and
/// swaps it in. A damaged artifact is logged and skipped; the model already loaded keeps serving.
/// </summary>
public sealed partial class ArtifactWatcher<T> : BackgroundService where T : class
{
    private readonly ModelSwap<T> _swap;
    private readonly IArtifactLoader<T> _loader;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ModelMetrics? _metrics;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private long _rejected;
    private string? _lastCheckpointError;

    /// <summary>Creates a watcher; it starts with the host.</summary>
    public ArtifactWatcher(ModelSwap<T> swap, IArtifactLoader<T> loader, TimeProvider clock, ILogger<ArtifactWatcher<T>> logger, ModelMetrics? metrics = null)
    {
        _swap = swap;
        _loader = loader;
        _clock = clock;
        _logger = logger;
        _metrics = metrics;
        metrics?.Track(loader.Name, () => swap.Current?.Publication);
    }

    /// <summary>How often the checkpoint is read when no file event arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the checkpoint once and loads a newer model if there is one; returns true when a model was swapped in.</summary>
    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        Publication? publication;
        try
        {
            publication = _loader.Directory.ReadCheckpoint();
            _lastCheckpointError = null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            if (_lastCheckpointError != e.Message)
            {
                _lastCheckpointError = e.Message;
                LogBadCheckpoint(_logger, _loader.Name, _loader.Directory.CheckpointPath, e.Message);
            }

            return false;
        }

        if (publication is null
            || publication.UnixNanoseconds <= (_swap.Current?.Publication.UnixNanoseconds ?? 0)
            || publication.UnixNanoseconds == Interlocked.Read(ref _rejected))
        {
            return false;
        }

        var path = _loader.Directory.ArtifactPath(publication);
        var started = _clock.GetTimestamp();
        try
        {
            var model = await Task.Run(() => _loader.Load(path, cancellationToken), cancellationToken);
            _swap.Swap(new LoadedModel<T>(model, publication, _clock.GetUtcNow()));
            var elapsed = _clock.GetElapsedTime(started);
            _metrics?.Swapped(_loader.Name, elapsed);
            LogLoaded(_logger, _loader.Name, publication.Version, publication.ModelDate, elapsed.TotalMilliseconds);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or EndOfStreamException)
        {
            Interlocked.Exchange(ref _rejected, publication.UnixNanoseconds);
            _metrics?.Rejected(_loader.Name);
            LogRejected(_logger, e, _loader.Name, path, e.Message);
            return false;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = StartFileWatcher();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
                await _changed.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    private FileSystemWatcher? StartFileWatcher()
    {
        // File events only make pickup quicker; the poll alone is correct.
        try
        {
            Directory.CreateDirectory(_loader.Directory.Path);
            var watcher = new FileSystemWatcher(_loader.Directory.Path, ArtifactDirectory.CheckpointFileName)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += (_, _) => Wake();
            watcher.Created += (_, _) => Wake();
            watcher.Renamed += (_, _) => Wake();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            LogNoFileEvents(_logger, _loader.Directory.Path, e.Message);
            return null;
        }
    }

    private void Wake()
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already awake, or shutting down.
        }
    }

    [LoggerMessage(EventId = EventIds.ArtifactWatcherLoaded, Level = LogLevel.Information, Message = "Loaded {Model} model v{Version} from {ModelDate} in {ElapsedMs:F1} ms")]
    private static partial void LogLoaded(ILogger logger, string model, string version, string modelDate, double elapsedMs);

    [LoggerMessage(EventId = EventIds.ArtifactWatcherRejected, Level = LogLevel.Error, Message = "Rejected {Model} artifact {Path}: {Reason}; the current model keeps serving")]
    private static partial void LogRejected(ILogger logger, Exception exception, string model, string path, string reason);

    [LoggerMessage(EventId = EventIds.ArtifactWatcherBadCheckpoint, Level = LogLevel.Warning, Message = "Unreadable {Model} checkpoint {Path}: {Reason}")]
    private static partial void LogBadCheckpoint(ILogger logger, string model, string path, string reason);

    [LoggerMessage(EventId = EventIds.ArtifactWatcherNoFileEvents, Level = LogLevel.Debug, Message = "No file events for {Path} ({Reason}); polling only")]
    private static partial void LogNoFileEvents(ILogger logger, string path, string reason);
}
