using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Quarry.Core.Artifacts;

/// <summary>Registers the hot-swap machinery for one kind of model.</summary>
public static class ArtifactServices
{
    /// <summary>
    /// Adds the model slot, the loader, a watcher that swaps new models in, and (unless <paramref name="optional"/>, for a
    /// model that only exists once users train one) a readiness check.
    /// </summary>
    public static IServiceCollection AddModelArtifacts<T, TLoader>(
        this IServiceCollection services, string name, Func<IServiceProvider, TimeSpan>? pollInterval = null, bool optional = false)
        where T : class
        where TLoader : class, IArtifactLoader<T>
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(ModelSwap<T>)))
        {
            return services;
        }

        services.AddSingleton<ModelSwap<T>>();
        services.AddMetrics();
        services.TryAddSingleton<ModelMetrics>();
        services.AddSingleton<IArtifactLoader<T>, TLoader>();
        services.AddSingleton(sp => new ArtifactWatcher<T>(
            sp.GetRequiredService<ModelSwap<T>>(),
            sp.GetRequiredService<IArtifactLoader<T>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ArtifactWatcher<T>>>(),
            sp.GetRequiredService<ModelMetrics>())
        {
            PollInterval = pollInterval?.Invoke(sp) ?? TimeSpan.FromSeconds(1),
        });
        services.AddHostedService(sp => sp.GetRequiredService<ArtifactWatcher<T>>());
        if (!optional)
        {
            services.AddHealthChecks().AddCheck<ModelReadyCheck<T>>(name);
        }

        return services;
    }
}
