namespace Quarry.Jobs.Workers;

/// <summary>Names a worker: <c>--worker-id</c>, else POD_NAME, else POD_IP, else host name and process id.</summary>
public static class WorkerIdentity
{
    /// <summary>The id to record on the jobs this process runs.</summary>
    public static string Resolve(string? explicitId = null)
    {
        foreach (var candidate in new[] { explicitId, Environment.GetEnvironmentVariable("POD_NAME"), Environment.GetEnvironmentVariable("POD_IP") })
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                return candidate.Trim();
            }
        }

        return $"{Environment.MachineName}-{Environment.ProcessId}";
    }
}
