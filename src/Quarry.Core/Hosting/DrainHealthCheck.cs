using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Quarry.Core.Hosting;

/// <summary>Readiness fails as soon as shutdown begins, so traffic moves elsewhere before the listener closes.</summary>
internal sealed class DrainHealthCheck(Drain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy("accepting traffic"));
}
