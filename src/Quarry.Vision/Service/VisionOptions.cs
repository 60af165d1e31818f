namespace Quarry.Vision.Service;

/// <summary>Where classification jobs run.</summary>
public enum ExecutorKind
{
    /// <summary>Child processes of this server, each in its own CPU-limited cgroup.</summary>
    Local,

    /// <summary>Kubernetes Jobs through the API server.</summary>
    Kubernetes,
}

/// <summary>Settings of the vision service (digit-classification jobs), bound from <c>Quarry:Vision</c> (<c>Quarry__Vision__...</c>).</summary>
public sealed class VisionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Vision";

    /// <summary>The section's name before it was renamed; settings still given there stop start-up.</summary>
    public const string FormerSection = "Quarry:Classification";

    /// <summary><c>local</c> (child processes of this server) or <c>kubernetes</c> (Jobs through the API server).</summary>
    public ExecutorKind Executor { get; set; } = ExecutorKind.Local;

    /// <summary>Epochs each job trains (the original's 5).</summary>
    public int Epochs { get; set; } = 5;

    /// <summary>Free-tier jobs running at once on the local executor (the original's quota allowed 2).</summary>
    public int FreeConcurrency { get; set; } = 2;

    /// <summary>Premium jobs running at once on the local executor: no tier limit, only this safety cap.</summary>
    public int PremiumConcurrency { get; set; } = 16;

    /// <summary>CPU each job may use, in cores (0.9 as the original's 900m).</summary>
    public double CpuLimit { get; set; } = 0.9;

    /// <summary>A folder of idx files every local job reads instead of the data dir's dataset cache (optional).</summary>
    public string? DatasetDir { get; set; }

    /// <summary>The Kubernetes executor's settings.</summary>
    public KubernetesExecutorOptions Kubernetes { get; set; } = new();
}

/// <summary>How the Kubernetes executor creates Jobs (<c>Quarry__Classification__Kubernetes__...</c>).</summary>
public sealed class KubernetesExecutorOptions
{
    /// <summary>The image whose <c>quarry classify</c> the Job runs (this same image).</summary>
    public string Image { get; set; } = "quarry:latest";

    /// <summary>Retries of a failed pod before the Job fails.</summary>
    public int BackoffLimit { get; set; } = 4;

    /// <summary>How long a finished Job is kept before the cluster deletes it.</summary>
    public int TtlSecondsAfterFinished { get; set; } = 3600;

    /// <summary>A kubeconfig file; empty means the in-cluster service account, then <c>KUBECONFIG</c>, then ~/.kube/config.</summary>
    public string? KubeConfig { get; set; }

    /// <summary>Service account the job pods run as (optional).</summary>
    public string? ServiceAccount { get; set; }
}
