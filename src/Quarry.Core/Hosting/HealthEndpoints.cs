using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Quarry.Core.Hosting;

/// <summary><c>/healthz</c> says the process is alive; <c>/readyz</c> runs every registered readiness check.</summary>
public static class HealthEndpoints
{
    private static readonly DateTime ProcessStart = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    internal static bool IsProbe(PathString path) =>
        path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) || path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Maps the two probes.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").WithTags("Health");
        group.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], Alive)
            .WithName("Healthz").WithSummary("The process is alive.");
        group.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], ReadyAsync)
            .WithName("Readyz").WithSummary("Dependencies are reachable, models are loaded and shutdown has not begun.");
        return endpoints;
    }

    private static Ok<Liveness> Alive() =>
        TypedResults.Ok(new Liveness("alive", QuarryInfo.Version, QuarryInfo.InformationalVersion,
            Math.Round((DateTime.UtcNow - ProcessStart).TotalSeconds, 1)));

    private static async Task<JsonHttpResult<Readiness>> ReadyAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var ready = report.Status != HealthStatus.Unhealthy;
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new CheckResult(e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description ?? e.Value.Exception?.Message));
        return TypedResults.Json(
            new Readiness(ready ? "ready" : "unready", checks),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Body of <c>/healthz</c>.</summary>
    public sealed record Liveness(string Status, string Version, string Build, double UptimeSeconds);

    /// <summary>Body of <c>/readyz</c>.</summary>
    public sealed record Readiness(string Status, IReadOnlyDictionary<string, CheckResult> Checks);

    /// <summary>One readiness check's outcome.</summary>
    public sealed record CheckResult(string Status, string? Description);
}
