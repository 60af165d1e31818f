using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Quarry.Core.Artifacts;

/// <summary>Readiness: healthy once a model is loaded.</summary>
public sealed class ModelReadyCheck<T>(ModelSwap<T> swap) : IHealthCheck where T : class
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = swap.Current;
        return Task.FromResult(current is null
            ? HealthCheckResult.Unhealthy("no model loaded yet")
            : HealthCheckResult.Healthy($"model v{current.Publication.Version} from {current.Publication.ModelDate}"));
    }
}
