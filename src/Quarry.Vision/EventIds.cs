namespace Quarry.Vision;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>ClassifyProcessHandler.LogStarted</c>.</summary>
    public const int ClassifyProcessHandlerStarted = 7101;

    /// <summary><c>ClassifyProcessHandler.LogNoCgroup</c>.</summary>
    public const int ClassifyProcessHandlerNoCgroup = 7102;

    /// <summary><c>LocalExecutor.LogNoCgroup</c>.</summary>
    public const int LocalExecutorNoCgroup = 7103;

    /// <summary><c>ResourceWatch.LogRelist</c>.</summary>
    public const int ResourceWatchRelist = 7201;

    /// <summary><c>ResourceWatch.LogWatchFailed</c>.</summary>
    public const int ResourceWatchWatchFailed = 7202;

    /// <summary><c>KubernetesExecutor.LogStarting</c>.</summary>
    public const int KubernetesExecutorStarting = 7210;

    /// <summary><c>KubernetesExecutor.LogNoClient</c>.</summary>
    public const int KubernetesExecutorNoClient = 7211;

    /// <summary><c>KubernetesExecutor.LogSubmitted</c>.</summary>
    public const int KubernetesExecutorSubmitted = 7212;

    /// <summary><c>KubernetesExecutor.LogSubmitFailed</c>.</summary>
    public const int KubernetesExecutorSubmitFailed = 7213;

    /// <summary><c>KubernetesExecutor.LogLogFailed</c>.</summary>
    public const int KubernetesExecutorLogFailed = 7214;
}
