using k8s;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>The client for the configured API server, or why none could be made.</summary>
internal sealed class KubernetesConnection : IDisposable
{
    private KubernetesConnection(IKubernetes? client, string host, string? error)
    {
        Client = client;
        Host = host;
        Error = error;
    }

    /// <summary>The client, null when the configuration could not be read.</summary>
    public IKubernetes? Client { get; }

    /// <summary>The API server's address, for messages.</summary>
    public string Host { get; }

    /// <summary>Why there is no client.</summary>
    public string? Error { get; }

    /// <summary>A connection from an explicit configuration (tests, or a caller that built one).</summary>
    public static KubernetesConnection From(KubernetesClientConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new KubernetesConnection(new k8s.Kubernetes(configuration), configuration.Host ?? "(no host)", null);
    }

    /// <summary>
    /// The configured kubeconfig file when one is set; otherwise the pod's service account when running in a cluster;
    /// otherwise <c>KUBECONFIG</c> or ~/.kube/config.
    /// </summary>
    public static KubernetesConnection Create(KubernetesExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var configuration = !string.IsNullOrWhiteSpace(options.KubeConfig)
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeConfig)
                : KubernetesClientConfiguration.IsInCluster()
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildDefaultConfig();
            return From(configuration);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or FormatException)
        {
            var source = string.IsNullOrWhiteSpace(options.KubeConfig) ? "the default Kubernetes configuration" : options.KubeConfig;
            return new KubernetesConnection(null, source, $"Kubernetes configuration from {source} cannot be used: {e.Message}");
        }
    }

    public void Dispose() => (Client as IDisposable)?.Dispose();
}
