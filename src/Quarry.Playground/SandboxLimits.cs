namespace Quarry.Playground;

/// <summary>Per-run resource limits applied to every sandbox (<c>Quarry__Playground__Limits__...</c>).</summary>
public sealed record SandboxLimits
{
    /// <summary>Wall-clock time a run may take before it is killed and reported as timed out.</summary>
    public TimeSpan Wall { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Address space (RLIMIT_AS) and memory cgroup limit.</summary>
    public long MemoryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Processes and threads (RLIMIT_NPROC and pids.max).</summary>
    public int Processes { get; init; } = 64;

    /// <summary>Bytes kept from each of stdout and stderr; the rest is read and dropped.</summary>
    public int OutputBytesPerStream { get; init; } = 64 * 1024;

    /// <summary>Largest file a run may write (RLIMIT_FSIZE).</summary>
    public long FileBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Open descriptors (RLIMIT_NOFILE).</summary>
    public int OpenFiles { get; init; } = 64;

    /// <summary>CPU time (RLIMIT_CPU, whole seconds, at least one).</summary>
    public TimeSpan Cpu { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Size of the sandbox's <c>/tmp</c> (tmpfs).</summary>
    public long TmpBytes { get; init; } = 16L * 1024 * 1024;
}
