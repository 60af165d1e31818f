using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Quarry.Core.Hosting;

namespace Quarry.Core.Telemetry;

/// <summary>
/// Metrics and traces for every role, on OpenTelemetry .NET: the Quarry meters and ASP.NET Core's own, served at
/// <c>/metrics</c> in the Prometheus text format and pushed over OTLP when the OTEL_* variables ask for it. With no
/// collector configured no tracer is registered, so activities stay unrecorded and cost nothing.
/// </summary>
public static class QuarryTelemetry
{
    /// <summary>Meters and activity sources of Quarry's capabilities all start with this.</summary>
    public const string Prefix = "Quarry.";

    /// <summary>The scrape path, on the server's port and on a worker's <c>--metrics-urls</c>.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The framework's meters that are worth scraping: HTTP requests, Kestrel connections, errors, the runtime.</summary>
    internal static readonly string[] FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "System.Runtime",
    ];

    // Recommendations take well under a millisecond: the default HTTP buckets (from 5 ms) would put every request in the first one.
    internal static readonly double[] HttpDurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// Registers the meter provider (and, with an OTLP endpoint, the tracer provider) for a process of
    /// <paramref name="role"/> (<c>serve</c>, <c>worker</c>). <paramref name="prometheus"/> false leaves <c>/metrics</c> out
    /// whatever the settings say (a worker without <c>--metrics-urls</c> has nowhere to serve it).
    /// </summary>
    public static TelemetrySettings AddQuarryTelemetry(this IHostApplicationBuilder builder, string role, bool prometheus = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = TelemetrySettings.Read(builder.Configuration);
        settings = settings with { Prometheus = settings.Prometheus && prometheus };
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(settings);
        if (!settings.AnyMetrics && !settings.OtlpTraces)
        {
            return settings;
        }

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
            {
                resource.AddService("quarry", serviceVersion: QuarryInfo.Version, autoGenerateServiceInstanceId: true);
            }

            resource.AddAttributes([new("quarry.role", role)]);
        });
        if (settings.AnyMetrics)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(Prefix + "*").AddMeter(FrameworkMeters)
                    .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = HttpDurationBuckets })
                    // Two measurements on every request, probes included; quarry.http.in_flight reads the drain's count instead.
                    .AddView("http.server.active_requests", MetricStreamConfiguration.Drop);
                if (settings.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (settings.OtlpMetrics)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }

        if (settings.OtlpTraces)
        {
            otel.WithTracing(tracing => tracing
                .AddSource(Prefix + "*")
                .AddSource("System.Net.Http")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsQuiet(context.Request.Path))
                .AddOtlpExporter());
        }

        return settings;
    }

    /// <summary>Maps <c>/metrics</c> when this process serves it; the scrapes themselves stay out of the HTTP metrics.</summary>
    public static IEndpointRouteBuilder MapQuarryMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<TelemetrySettings>() is { Prometheus: true })
        {
            endpoints.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics().ExcludeFromDescription();
        }

        return endpoints;
    }

    // Probes and scrapes would be most of the spans and tell nothing.
    private static bool IsQuiet(PathString path) => HealthEndpoints.IsProbe(path) || path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);
}
