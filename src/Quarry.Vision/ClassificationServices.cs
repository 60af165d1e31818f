using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;
using Quarry.Jobs;
using Quarry.Vision.Model;
using Quarry.Vision.Service;
using Quarry.Vision.Service.Kubernetes;
using Quarry.Vision.Service.Local;
using Quarry.Vision.Training;

namespace Quarry.Vision;

/// <summary>Registers and maps the digit-classification service (S3).</summary>
public static class ClassificationServices
{
    /// <summary>Adds the executor named by <c>Quarry__Classification__Executor</c>, the digit model watcher and the UI link.</summary>
    public static IServiceCollection AddClassification(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddJobSettings().AddSettings<ClassificationOptions, ClassificationOptionsValidator>(ClassificationOptions.Section);
        services.TryAddSingleton<LocalExecutor>();
        KubernetesExecutorRegistration.AddParts(services);
        services.TryAddSingleton<IClassificationExecutor>(sp =>
            sp.GetRequiredService<IOptions<ClassificationOptions>>().Value.Executor == ExecutorKind.Kubernetes
                ? sp.GetRequiredService<KubernetesExecutor>()
                : sp.GetRequiredService<LocalExecutor>());
        services.AddMetrics();
        services.TryAddSingleton<ClassificationMetrics>();
        if (!services.Any(d => d.ServiceType == typeof(ExecutorHost)))
        {
            services.AddSingleton<ExecutorHost>();
            services.AddHostedService(sp => sp.GetRequiredService<ExecutorHost>());
            services.AddModelArtifacts<DigitModel, MnistLoader>("digits", optional: true);
            services.AddSingleton(new UiLink("Classification", "/classify.html", "Train digit classifiers (free and premium tiers), watch them learn, draw a digit.", 50));
        }

        return services;
    }

    /// <summary>Maps the original's routes, the job views and digit predictions.</summary>
    public static IEndpointRouteBuilder MapClassification(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapClassificationApi().MapDigitPredictionApi();

    /// <summary>Starts and stops whichever executor was chosen, when it has work of its own to run.</summary>
    internal sealed class ExecutorHost(IClassificationExecutor executor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            executor is IHostedService hosted ? hosted.StartAsync(cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) =>
            executor is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;
    }

    private sealed class MnistLoader(IOptions<ServerOptions> server) : IArtifactLoader<DigitModel>
    {
        public string Name => "digits";

        public ArtifactDirectory Directory { get; } = ClassifyJob.Models(server.Value.DataDir, "mnist");

        public DigitModel Load(string path, CancellationToken cancellationToken) => DigitModelFile.Read(path);
    }
}
