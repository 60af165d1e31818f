using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
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
        // Probes stay out of the HTTP request metrics, as they stay out of traces: a kubelet's probes every few seconds would
        // be most of an idle server's requests and tell nothing about its traffic.
        var group = endpoints.MapGroup("").WithTags("Health").DisableHttpMetrics();
        // Short-circuited: answered right after routing, without the rest of the middleware, since liveness probes are the
        // most frequent request and this handler cannot fail. It sets its own Server-Timing.
        // A typed delegate rather than a RequestDelegate, so that the endpoint is described in the OpenAPI document.
        group.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], (Func<HttpContext, Task>)AliveAsync)
            .WithName("Healthz").WithSummary("The process is alive.")
            .Produces<Liveness>(StatusCodes.Status200OK, "application/json")
            .ShortCircuit();
        group.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], ReadyAsync)
            .WithName("Readyz").WithSummary("Dependencies are reachable, models are loaded and shutdown has not begun.");
        return endpoints;
    }

    // Everything of the liveness body before the uptime, which is the only part that changes.
    private static readonly byte[] AlivePrefix = AliveBodyPrefix();

    /// <summary>Writes the <see cref="Liveness"/> body with a Content-Length, without serializer or result machinery.</summary>
    private static Task AliveAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        Span<byte> body = stackalloc byte[AlivePrefix.Length + 32];
        AlivePrefix.CopyTo(body);
        var uptime = Math.Round((DateTime.UtcNow - ProcessStart).TotalSeconds, 1);
        Utf8Formatter.TryFormat(uptime, body[AlivePrefix.Length..], out var written);
        var length = AlivePrefix.Length + written;
        body[length++] = (byte)'}';

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = length;
        response.Headers["Server-Timing"] = ServerTimingValue(started);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        // Kestrel sends headers and body together when the request ends; flushing here would be one more pass for nothing.
        body[..length].CopyTo(response.BodyWriter.GetSpan(length));
        response.BodyWriter.Advance(length);
        return Task.CompletedTask;
    }

    /// <summary><c>app;dur=ms</c> (three decimals) since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal static string ServerTimingValue(long started)
    {
        // Whole microseconds formatted as integers: formatting the milliseconds as a double cost more than the rest of a probe.
        var micros = Math.Max(0, Stopwatch.GetElapsedTime(started).Ticks / TimeSpan.TicksPerMicrosecond);
        return string.Create(CultureInfo.InvariantCulture, $"app;dur={micros / 1000}.{micros % 1000:D3}");
    }

    private static byte[] AliveBodyPrefix()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "alive");
            writer.WriteString("version", QuarryInfo.Version);
            writer.WriteString("build", QuarryInfo.InformationalVersion);
            writer.WriteNumber("uptimeSeconds", 0);
        }

        // Drop the placeholder "0" (the object was never closed, so it ends there).
        var text = buffer.WrittenSpan;
        return text[..^1].ToArray();
    }

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
