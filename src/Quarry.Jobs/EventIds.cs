namespace Quarry.Jobs;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>JobWorker.LogStarted</c>.</summary>
    public const int JobWorkerStarted = 4000;

    /// <summary><c>JobWorker.LogStopped</c>.</summary>
    public const int JobWorkerStopped = 4001;

    /// <summary><c>JobWorker.LogUnavailable</c>.</summary>
    public const int JobWorkerUnavailable = 4002;

    /// <summary><c>JobWorker.LogJobFailed</c>.</summary>
    public const int JobWorkerJobFailed = 4003;

    /// <summary><c>JobWorker.LogDraining</c>.</summary>
    public const int JobWorkerDraining = 4004;

    /// <summary><c>SqliteJobStore.LogOpened</c>.</summary>
    public const int SqliteJobStoreOpened = 4200;

    /// <summary><c>SqliteJobStore.LogBatchFailed</c>.</summary>
    public const int SqliteJobStoreBatchFailed = 4201;
}
