namespace Quarry.Core;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>ProblemExceptionHandler.LogUnhandled</c>.</summary>
    public const int ProblemExceptionHandlerUnhandled = 1000;

    /// <summary><c>Drain.LogDraining</c>.</summary>
    public const int DrainDraining = 1100;

    /// <summary><c>Drain.LogDrained</c>.</summary>
    public const int DrainDrained = 1101;

    /// <summary><c>ArtifactWatcher.LogLoaded</c>.</summary>
    public const int ArtifactWatcherLoaded = 1200;

    /// <summary><c>ArtifactWatcher.LogRejected</c>.</summary>
    public const int ArtifactWatcherRejected = 1201;

    /// <summary><c>ArtifactWatcher.LogBadCheckpoint</c>.</summary>
    public const int ArtifactWatcherBadCheckpoint = 1202;

    /// <summary><c>ArtifactWatcher.LogNoFileEvents</c>.</summary>
    public const int ArtifactWatcherNoFileEvents = 1203;

    /// <summary><c>DatasetFetcher.LogReused</c>.</summary>
    public const int DatasetFetcherReused = 1300;

    /// <summary><c>DatasetFetcher.LogDownloaded</c>.</summary>
    public const int DatasetFetcherDownloaded = 1301;

    /// <summary><c>DatasetFetcher.LogRetry</c>.</summary>
    public const int DatasetFetcherRetry = 1302;
}
