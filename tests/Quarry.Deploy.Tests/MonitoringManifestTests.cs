using System.Globalization;
using k8s.Models;
using Quarry.Core.Telemetry;
using Quarry.Deploy.Tests.Infrastructure;

namespace Quarry.Deploy.Tests;

/// <summary>Scrape targets: the pod annotations and the optional Prometheus Operator objects point at ports and paths Quarry serves.</summary>
public sealed class MonitoringManifestTests
{
    public static TheoryData<string> Kustomizations => [.. Manifests.Applicable];

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Pods_marked_for_scraping_name_a_declared_port_the_process_listens_on_and_the_metrics_path(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        var scraped = m.Workloads.Where(w => w.Template.Metadata.Annotations is { } a && a.TryGetValue("prometheus.io/scrape", out var on) && on == "true").ToList();
        Assert.Contains(scraped, w => w.Name == "quarry-api");
        foreach (var workload in scraped)
        {
            var annotations = workload.Template.Metadata.Annotations!;
            Assert.Equal(QuarryTelemetry.MetricsPath, annotations["prometheus.io/path"]);
            var port = int.Parse(annotations["prometheus.io/port"], CultureInfo.InvariantCulture);
            var container = Assert.Single(workload.Pod.Containers, c => (c.Ports ?? []).Any(p => p.ContainerPort == port));
            Assert.Equal(port, new Uri(ManifestTests.ListenUrls(m, container).Split(';')[0].Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port);
        }

        // Every worker serves metrics when there are workers.
        foreach (var worker in m.Workloads.Where(w => w.Pod.Containers.Any(c => ManifestTests.Arguments(c) is ["worker", ..])))
        {
            Assert.Contains(worker, scraped);
        }
    }

    [Fact]
    public async Task The_monitoring_variant_scrapes_the_api_service_and_the_worker_pods_on_their_metrics_ports()
    {
        var m = await Manifests.RenderAsync("variants/monitoring");
        var service = m.One<V1Service>("quarry-api");
        var serviceMonitor = Assert.Single(m.All<ServiceMonitor>());
        Assert.True(Labels.Match(serviceMonitor.Spec.Selector, service.Metadata.Labels), "the ServiceMonitor does not select the api Service");
        Assert.Empty(m.All<V1Service>().Where(s => s != service && Labels.Match(serviceMonitor.Spec.Selector, s.Metadata.Labels)).Select(s => s.Metadata.Name));
        var endpoint = Assert.Single(serviceMonitor.Spec.Endpoints);
        Assert.Contains(endpoint.Port, service.Spec.Ports.Select(p => p.Name));
        Assert.Equal(QuarryTelemetry.MetricsPath, endpoint.Path);

        var podMonitor = Assert.Single(m.All<PodMonitor>());
        var workers = m.Workloads.Where(w => Labels.Match(podMonitor.Spec.Selector, w.Template.Metadata.Labels)).ToList();
        Assert.Equal("quarry-worker", Assert.Single(workers).Name);
        var podEndpoint = Assert.Single(podMonitor.Spec.PodMetricsEndpoints);
        Assert.Contains(podEndpoint.Port, workers[0].Pod.Containers.SelectMany(c => c.Ports ?? []).Select(p => p.Name));
        Assert.Equal(QuarryTelemetry.MetricsPath, podEndpoint.Path);
        Assert.All(new[] { serviceMonitor.Metadata.NamespaceProperty, podMonitor.Metadata.NamespaceProperty }, ns => Assert.Equal("quarry", ns));
    }
}
