using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Vision.Service;
using Quarry.Vision.Service.Kubernetes;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>A fake API server and an executor started against it, with a deadline-bounded wait for state.</summary>
internal sealed class KubernetesTestCluster : IAsyncDisposable
{
    /// <summary>Fast retries so recovery shows within a test's deadline.</summary>
    public static readonly KubernetesTimings Timings = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(200), 300);

    private KubernetesTestCluster(FakeKubernetesApi api, KubernetesExecutor executor)
    {
        Api = api;
        Executor = executor;
    }

    public FakeKubernetesApi Api { get; }

    public KubernetesExecutor Executor { get; }

    public static async Task<KubernetesTestCluster> StartAsync(
        string? token = FakeKubernetesApi.Token, Action<VisionOptions>? configure = null, Action<FakeKubernetesApi>? seed = null,
        TimeSpan? requestTimeout = null)
    {
        var api = await FakeKubernetesApi.StartAsync();
        seed?.Invoke(api);
        var options = new VisionOptions { Epochs = 2 };
        options.Kubernetes.Image = "registry.example/quarry:0.1.0";
        configure?.Invoke(options);
        var configuration = api.Configuration(token);
        configuration.HttpClientTimeout = requestTimeout ?? configuration.HttpClientTimeout;
        var executor = new KubernetesExecutor(
            KubernetesConnection.From(configuration), Options.Create(options), Timings, TimeProvider.System,
            NullLogger<KubernetesExecutor>.Instance);
        await executor.StartAsync(TestContext.Current.CancellationToken);
        return new KubernetesTestCluster(api, executor);
    }

    /// <summary>How long the tests wait for the fake cluster and the executor to reach a state.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public IReadOnlyList<PodInfo> PodsIn(string ns) => [.. Executor.Pods().Where(p => p.Namespace == ns)];

    public string Describe() =>
        string.Join("; ", Executor.Pods().Where(p => !p.Name.StartsWith("seed-", StringComparison.Ordinal)).Select(p => $"{p.Namespace}/{p.Name}={p.Status}")) +
        $" | unavailable: {Executor.Unavailable ?? "no"} | calls: {Api.CallSummary()}";

    public async ValueTask DisposeAsync()
    {
        await Executor.StopAsync(CancellationToken.None);
        Executor.Dispose();
        await Api.DisposeAsync();
    }
}
