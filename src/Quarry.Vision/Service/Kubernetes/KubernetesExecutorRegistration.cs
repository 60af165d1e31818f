using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>Registers what the Kubernetes executor needs; <see cref="VisionServices.AddVision"/> chooses it by configuration.</summary>
internal static class KubernetesExecutorRegistration
{
    /// <summary>Adds the client connection (from the options' kubeconfig, the in-cluster account or KUBECONFIG) and the executor. Safe to call more than once.</summary>
    public static IServiceCollection AddParts(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(KubernetesTimings.Default);
        services.TryAddSingleton(sp => KubernetesConnection.Create(sp.GetRequiredService<IOptions<VisionOptions>>().Value.Kubernetes));
        services.TryAddSingleton<KubernetesExecutor>();
        return services;
    }
}
