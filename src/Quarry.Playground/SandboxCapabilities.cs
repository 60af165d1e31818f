namespace Quarry.Playground;

/// <summary>What isolation this host can actually enforce, as found by <see cref="SandboxProbe"/>.</summary>
public sealed record SandboxCapabilities
{
    public string? BwrapPath { get; init; }

    public string? PythonPath { get; init; }

    public string? SetprivPath { get; init; }

    /// <summary>Host uid the sandbox runs as; null when the server's own uid is used.</summary>
    public int? SandboxUid { get; init; }

    public bool UserNamespace { get; init; }

    public bool PidNamespace { get; init; }

    public bool NetNamespace { get; init; }

    public bool Seccomp { get; init; }

    public bool Rlimits { get; init; }

    /// <summary>"v2", "v1" or "none": the hierarchy used for per-run cgroups.</summary>
    public string CgroupMode { get; init; } = "none";

    public bool CgroupMemory { get; init; }

    public bool CgroupPids { get; init; }

    public bool CgroupCpu { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>True when namespaces, seccomp and rlimits all work: the minimum the pool accepts without AllowUnsafe.</summary>
    public bool IsolationWorks => BwrapPath is not null && UserNamespace && PidNamespace && NetNamespace && Seccomp && Rlimits;

    public override string ToString() =>
        $"bwrap={BwrapPath ?? "missing"} python={PythonPath ?? "missing"} uid={SandboxUid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "server"} " +
        $"userns={UserNamespace} pidns={PidNamespace} netns={NetNamespace} seccomp={Seccomp} rlimits={Rlimits} " +
        $"cgroup={CgroupMode}(memory={CgroupMemory}, pids={CgroupPids}, cpu={CgroupCpu})" +
        (Notes.Count == 0 ? "" : "; " + string.Join("; ", Notes));
}
