namespace Quarry.Playground;

/// <summary>Settings of the Python playground, bound from the <c>Quarry:Playground</c> section (<c>Quarry__Playground__...</c> in the environment); checked by <see cref="PlaygroundOptionsValidator"/>.</summary>
public sealed class PlaygroundOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Playground";

    /// <summary>The section's name before it was renamed; settings still given there stop start-up.</summary>
    public const string FormerSection = "Playground";

    /// <summary>Run untrusted code without namespace isolation when the host cannot isolate it (development only).</summary>
    public bool AllowUnsandboxed { get; set; }

    /// <summary>
    /// Without working isolation, stop the whole server at start (true) or run everything else and answer the playground's
    /// endpoints with 503 and the reason (false). <c>quarry serve</c> sets it when <c>Quarry__Services</c> names the playground.
    /// </summary>
    public bool Required { get; set; }

    /// <summary>The bubblewrap executable; empty looks for <c>bwrap</c> in the system directories.</summary>
    public string? BubblewrapPath { get; set; }

    /// <summary>Base address of a remote evaluator (another <c>quarry serve</c>); when set, runs are forwarded there and no local sandbox starts.</summary>
    public Uri? EvaluatorUrl { get; set; }

    /// <summary>Sandboxes kept started and waiting for code.</summary>
    public int WarmSandboxes { get; set; } = 4;

    /// <summary>Runs at once; beyond that requests wait up to <see cref="QueueTimeout"/>, then get 503.</summary>
    public int MaxConcurrentRuns { get; set; } = 24;

    /// <summary>Longest wait for a free run slot.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a sandbox may take to start (bubblewrap and Python up, limits applied) before it is killed and started again.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Memory all sandboxes together may use (a parent cgroup); 0 for no shared cap.</summary>
    public long TotalMemoryBytes { get; set; } = 2L << 30;

    /// <summary>Largest program accepted, in UTF-8 bytes; longer ones get 413.</summary>
    public int MaxCodeBytes { get; set; } = 256 << 10;

    /// <summary>Per-run limits.</summary>
    public SandboxLimits Limits { get; set; } = new();
}
