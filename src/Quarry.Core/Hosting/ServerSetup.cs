using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quarry.Core.Settings;
using Quarry.Core.Telemetry;
using Scalar.AspNetCore;

namespace Quarry.Core.Hosting;

/// <summary>The server behaviour every Quarry capability relies on: problems, health, drain, limits, OpenAPI.</summary>
public static class ServerSetup
{
    /// <summary>Registers options, problem details, health checks, drain-on-shutdown, OpenAPI, metrics and traces.</summary>
    public static WebApplicationBuilder AddQuarryServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddQuarryBasics();

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddSingleton<Drain>();
        services.AddHostedService(sp => sp.GetRequiredService<Drain>());
        services.AddHealthChecks().AddCheck<DrainHealthCheck>("shutdown");

        services.AddOpenApi();
        builder.AddQuarryTelemetry("serve");
        services.AddUiLink(new UiLink("Dashboard", DashboardPage.Path, "Live requests, jobs, workers, models and training runs, from this server's metrics.", 900));
        services.AddOptions<HostOptions>().Configure<IOptions<ServerOptions>>((host, server) =>
            host.ShutdownTimeout = server.Value.ShutdownTimeout);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerOptions>>((kestrel, server) =>
        {
            kestrel.Limits.MaxRequestBodySize = server.Value.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>
    /// What every Quarry process (<c>serve</c>, <c>worker</c> and the one-shot commands) shares: the <see cref="ServerOptions"/>
    /// settings, checked at start, and the clock. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddQuarryBasics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSettings<ServerOptions, ServerOptionsValidator>(ServerOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
    /// <summary>The interactive API reference, served from the package's own copy of the viewer (no CDN); it reads <c>/openapi/v1.json</c>.</summary>
    public const string ApiReferencePath = "/api-reference";

    /// <summary>Adds the middleware and the endpoints shared by every capability.</summary>
    public static WebApplication UseQuarryServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        var drain = app.Services.GetRequiredService<Drain>();
        app.Use((context, next) => TimedAndCounted(context, next, drain));

        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOpenApi();
        app.MapScalarApiReference(ApiReferencePath, o => o.WithTitle("Quarry API").DisableDefaultFonts().DisableTelemetry());
        app.MapQuarryMetrics();
        app.MapDashboard();
        app.MapHealthEndpoints();
        app.MapAbout();
        return app;
    }

    /// <summary>
    /// Adds <c>Server-Timing: app;dur=ms</c> to every answer, so clients and benchmarks see time spent in the server, not the
    /// network, and counts the request in flight for the drain (probes excepted). One middleware for both: a layer less on
    /// every request.
    /// </summary>
    private static Task TimedAndCounted(HttpContext context, RequestDelegate next, Drain drain)
    {
        context.Response.OnStarting(WriteServerTiming, new TimingState(context, System.Diagnostics.Stopwatch.GetTimestamp()));
        return HealthEndpoints.IsProbe(context.Request.Path) ? next(context) : Counted(context, next, drain);

        static async Task Counted(HttpContext context, RequestDelegate next, Drain drain)
        {
            drain.Enter();
            try
            {
                await next(context);
            }
            finally
            {
                drain.Exit();
            }
        }
    }

    private static readonly Func<object, Task> WriteServerTiming = static state =>
    {
        var timing = (TimingState)state;
        timing.Context.Response.Headers["Server-Timing"] = HealthEndpoints.ServerTimingValue(timing.Started);
        return Task.CompletedTask;
    };

    private sealed record TimingState(HttpContext Context, long Started);

    private static void MapAbout(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/about", (IEnumerable<UiLink> links) => TypedResults.Ok(new About(
                QuarryInfo.Product,
                QuarryInfo.Version,
                QuarryInfo.InformationalVersion,
                [.. links.OrderBy(l => l.Order).ThenBy(l => l.Title, StringComparer.Ordinal)])))
            .WithName("About")
            .WithSummary("Product name, version and the pages of the web UI.")
            .WithTags("Server");

    /// <summary>What <c>/api/about</c> returns.</summary>
    public sealed record About(string Product, string Version, string Build, IReadOnlyList<UiLink> Pages);
}
