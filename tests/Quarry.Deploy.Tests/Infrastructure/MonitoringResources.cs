using k8s;
using k8s.Models;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>The Prometheus Operator's two resources, as far as deploy/k8s/components/monitoring uses them (strict loading rejects any other field).</summary>
internal static class MonitoringResources
{
    /// <summary>apiVersion/kind to model, for <see cref="KubernetesYaml.LoadAllFromString"/>.</summary>
    public static readonly IDictionary<string, Type> TypeMap = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
        ["monitoring.coreos.com/v1/PodMonitor"] = typeof(PodMonitor),
    };
}

internal sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ServiceMonitorSpec Spec { get; set; } = new();
}

internal sealed class ServiceMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();

    public List<ScrapeEndpoint> Endpoints { get; set; } = [];
}

internal sealed class PodMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public PodMonitorSpec Spec { get; set; } = new();
}

internal sealed class PodMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();

    public List<ScrapeEndpoint> PodMetricsEndpoints { get; set; } = [];
}

internal sealed class ScrapeEndpoint
{
    public string Port { get; set; } = "";

    public string Path { get; set; } = "";

    public string Interval { get; set; } = "";
}
