using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;

namespace Quarry.Playground;

/// <summary>Registers and maps the Python playground (S2).</summary>
public static class PlaygroundServices
{
    /// <summary>Adds the evaluator (a local sandbox pool, or a remote evaluator when configured) and the UI link.</summary>
    public static IServiceCollection AddPlayground(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(PlaygroundEvaluator)))
        {
            return services;
        }

        services.AddQuarryBasics().AddSettings<PlaygroundOptions, PlaygroundOptionsValidator>(PlaygroundOptions.Section, PlaygroundOptions.FormerSection);
        services.AddOptions<PlaygroundOptions>().PostConfigure<IConfiguration>((options, configuration) =>
        {
            // Named explicitly in Quarry__Services, the playground is the point of this server: without isolation it must
            // not start at all, unless Quarry__Playground__Required says otherwise.
            if (configuration[$"{PlaygroundOptions.Section}:{nameof(PlaygroundOptions.Required)}"] is null && ServerOptions.NamesService(configuration, "playground"))
            {
                options.Required = true;
            }
        });
        services.AddMetrics();
        services.TryAddSingleton<PlaygroundMetrics>();
        services.AddSingleton<PlaygroundEvaluator>();
        services.AddSingleton<IPythonEvaluator>(sp => sp.GetRequiredService<PlaygroundEvaluator>());
        // First among the hosted services: a host without isolation refuses to start before anything else has begun.
        var first = services.TakeWhile(d => d.ServiceType != typeof(IHostedService)).Count();
        services.Insert(first, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<PlaygroundEvaluator>()));
        services.AddUiLink(new UiLink("Python", "/python", "Run Python in a fresh, isolated sandbox per run.", 50));
        return services;
    }

    /// <summary>Maps <c>/py/eval</c> and <c>/python</c>.</summary>
    public static IEndpointRouteBuilder MapPlayground(this IEndpointRouteBuilder endpoints) => endpoints.MapOnce("playground", e => e.MapPlaygroundCompatibilityRoutes());
}
