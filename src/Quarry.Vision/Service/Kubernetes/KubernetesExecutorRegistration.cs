using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>Registers the Kubernetes executor of the classification service.</summary>
public static class KubernetesExecutorRegistration
{
    /// <summary>
    /// Adds the Kubernetes executor as the <see cref="IClassificationExecutor"/> and as a hosted service that keeps its
    /// watches running. Binds <see cref="ClassificationOptions"/> from <c>Quarry:Classification</c> if nothing did.
    /// Safe to call more than once.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ClassificationOptions>().BindConfiguration(ClassificationOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(KubernetesTimings.Default);
        services.TryAddSingleton(sp => KubernetesConnection.Create(sp.GetRequiredService<IOptions<ClassificationOptions>>().Value.Kubernetes));
        services.TryAddSingleton<KubernetesExecutor>();
        services.TryAddSingleton<IClassificationExecutor>(sp => sp.GetRequiredService<KubernetesExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KubernetesExecutorHost>());
        return services;
    }

    /// <summary>Starts and stops the executor's watches with the host (a separate type so the registration can be repeated safely).</summary>
    private sealed class KubernetesExecutorHost(KubernetesExecutor executor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => executor.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => executor.StopAsync(cancellationToken);
    }
}
