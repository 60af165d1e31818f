namespace Quarry.Playground;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>SandboxPool.LogStarted</c>.</summary>
    public const int SandboxPoolStarted = 8001;

    /// <summary><c>SandboxPool.LogUnsafe</c>.</summary>
    public const int SandboxPoolUnsafe = 8002;

    /// <summary><c>SandboxPool.LogStartFailed</c>.</summary>
    public const int SandboxPoolStartFailed = 8003;

    /// <summary><c>PlaygroundEvaluator.LogRemote</c>.</summary>
    public const int PlaygroundEvaluatorRemote = 8010;

    /// <summary><c>PlaygroundEvaluator.LogUnavailable</c>.</summary>
    public const int PlaygroundEvaluatorUnavailable = 8011;
}
