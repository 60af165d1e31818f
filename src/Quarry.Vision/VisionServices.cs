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

/// <summary>Registers and maps the vision service (S3: digit-classification training jobs and digit predictions).</summary>
public static class VisionServices
{
    /// <summary>Adds the executor named by <c>Quarry__Vision__Executor</c>, the digit model watcher and the UI link. Safe to call more than once.</summary>
    public static IServiceCollection AddVision(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(ExecutorHost)))
        {
            return services;
        }

        services.AddJobSettings().AddSettings<VisionOptions, VisionOptionsValidator>(VisionOptions.Section, VisionOptions.FormerSection);
        services.TryAddSingleton<LocalExecutor>();
        KubernetesExecutorRegistration.AddParts(services);
        services.TryAddSingleton<IClassificationExecutor>(sp =>
            sp.GetRequiredService<IOptions<VisionOptions>>().Value.Executor == ExecutorKind.Kubernetes
                ? sp.GetRequiredService<KubernetesExecutor>()
                : sp.GetRequiredService<LocalExecutor>());
        services.AddMetrics();
        services.TryAddSingleton<ClassificationMetrics>();
        services.AddSingleton<ExecutorHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutorHost>());
        services.AddModelArtifacts<DigitModel, MnistLoader>("digits", optional: true);
        services.AddUiLink(new UiLink("Classification", "/vision.html", "Train digit classifiers (free and premium tiers), watch them learn, draw a digit.", 50));
        return services;
    }

    /// <summary>Maps the original's routes, the job views and digit predictions.</summary>
    public static IEndpointRouteBuilder MapVision(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOnce("vision", e => e.MapVisionCompatibilityRoutes().MapVisionApi().MapVisionPredictionApi());

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
