namespace Quarry.Jobs.Backends;

/// <summary>Settings every backend honours.</summary>
public sealed record JobBackendOptions
{
    /// <summary>How long a taken job stays leased without renewal before another worker may take it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Prefix of keys, tables or queues, so several deployments can share one engine.</summary>
    public string Prefix { get; init; } = "quarry";

    /// <summary>The clock (tests use a fake one where the engine allows).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
