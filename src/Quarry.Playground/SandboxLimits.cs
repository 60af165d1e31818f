namespace Quarry.Playground;

/// <summary>Per-run resource limits applied to every sandbox.</summary>
public sealed record SandboxLimits
{
    public TimeSpan Wall { get; init; } = TimeSpan.FromSeconds(5);

    public long MemoryBytes { get; init; } = 256L * 1024 * 1024;

    public int Processes { get; init; } = 64;

    public int OutputBytesPerStream { get; init; } = 64 * 1024;

    public long FileBytes { get; init; } = 16L * 1024 * 1024;

    public int OpenFiles { get; init; } = 64;

    public TimeSpan Cpu { get; init; } = TimeSpan.FromSeconds(5);

    public long TmpBytes { get; init; } = 16L * 1024 * 1024;
}
