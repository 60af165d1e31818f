using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quarry.Vision.Service;
using Quarry.TestSupport;

namespace Quarry.Vision.Tests.Kubernetes;

public sealed class KubernetesExecutorRegistrationTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Registered_twice_it_runs_once_from_the_configured_kubeconfig()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        var kubeconfig = api.WriteKubeconfig(_folder.Path);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Quarry:Vision:Executor"] = "kubernetes",
            ["Quarry:DataDir"] = _folder.Path,
            ["Quarry:Vision:Kubernetes:KubeConfig"] = kubeconfig,
            ["Quarry:Vision:Kubernetes:Image"] = "registry.example/quarry:test",
        });
        builder.Services.AddVision();
        builder.Services.AddVision();
        using var host = builder.Build();

        Assert.Single(builder.Services, d => d.ServiceType == typeof(IClassificationExecutor));
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s is VisionServices.ExecutorHost);
        await host.StartAsync(Ct);
        try
        {
            var executor = host.Services.GetRequiredService<IClassificationExecutor>();
            Assert.Equal("kubernetes", executor.Name);
            var job = await executor.SubmitAsync(Tier.Free, "mnist", Ct);

            Assert.Equal("registry.example/quarry:test", (string?)api.Cluster.GetJob("free-service", job.Name)["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
            await Wait.UntilAsync(() => executor.GetAsync(job.Id, Ct).Result?.Status == PodPhase.Running, KubernetesTestCluster.Patience, () => api.CallSummary());
            Assert.Equal(1, api.Calls("GET /api/v1/pods"));
        }
        finally
        {
            await host.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task A_kubeconfig_that_cannot_be_read_makes_it_unavailable_instead_of_failing_the_host()
    {
        var missing = Path.Combine(_folder.Path, "no-such-kubeconfig");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Quarry:Vision:Executor"] = "kubernetes",
            ["Quarry:DataDir"] = _folder.Path,
            ["Quarry:Vision:Kubernetes:KubeConfig"] = missing,
        });
        builder.Services.AddVision();
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var executor = host.Services.GetRequiredService<IClassificationExecutor>();
        Assert.StartsWith($"Kubernetes configuration from {missing} cannot be used: ", executor.Unavailable, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => executor.SubmitAsync(Tier.Premium, "mnist", Ct));
        Assert.Equal(executor.Unavailable, refused.Message);
        Assert.Empty(executor.Pods());
        await host.StopAsync(Ct);
    }
}
