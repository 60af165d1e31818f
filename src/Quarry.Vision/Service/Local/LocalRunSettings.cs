namespace Quarry.Vision.Service.Local;

/// <summary>What every local job run shares: where runs live, how long they train, the CPU each may use.</summary>
internal sealed class LocalRunSettings(string dataDir, VisionOptions options, CpuCgroup cgroup)
{
    public string DataDir { get; } = Path.GetFullPath(dataDir);

    public int Epochs => options.Epochs;

    public double CpuLimit => options.CpuLimit;

    /// <summary>Threads per job: one under a quota below 1.5 CPUs (0.9 by default), else the whole CPUs it may use.</summary>
    public int Threads => Math.Clamp((int)Math.Floor(options.CpuLimit + 0.5), 1, Environment.ProcessorCount);

    public string? DatasetDir => string.IsNullOrWhiteSpace(options.DatasetDir) ? null : Path.GetFullPath(options.DatasetDir);

    public CpuCgroup Cgroup { get; } = cgroup;

    public string RunFolder(Guid id) => Path.Combine(DataDir, "classify", "runs", id.ToString("N"));
}
