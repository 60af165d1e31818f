using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Core.Artifacts;
using Quarry.Core.Datasets;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;
using Quarry.Jobs;
using Quarry.Jobs.Handlers;
using Quarry.Predict.Model;
using Quarry.Predict.Serving;
using Quarry.Predict.Training;

namespace Quarry.Predict;

/// <summary>Registers and maps the prediction service (S5: diabetes risk, computed by job workers).</summary>
public static partial class PredictServices
{
    /// <summary>Adds the model watcher and the prediction job handler (needed by servers and workers alike).</summary>
    public static IServiceCollection AddPredictWorker(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddQuarryBasics().AddSettings<PredictOptions, PredictOptionsValidator>(PredictOptions.Section, PredictOptions.FormerSection);
        services.TryAddSingleton<DiabetesTrainer>();
        services.AddModelArtifacts<DiabetesModel, Loader>("diabetes", sp => sp.GetRequiredService<IOptions<PredictOptions>>().Value.PollInterval);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobHandler, PredictJobHandler>());
        return services;
    }

    /// <summary>
    /// Adds everything the server needs: worker parts, the demo bootstrap and the UI link, and the job service the
    /// predictions run on (with in-process workers where the backend is embedded). Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddPredict(this IServiceCollection services)
    {
        if (services.Any(d => d.ImplementationType == typeof(Bootstrap)))
        {
            return services;
        }

        services.AddPredictWorker().AddJobsServer();
        services.AddDatasetFetcher();
        services.AddHostedService<Bootstrap>();
        services.AddUiLink(new UiLink("Predictions", "/predictions", "Diabetes risk from eight measurements, computed by job workers.", 30));
        return services;
    }

    /// <summary>Maps the API, the original's pages and the <c>/jobs</c> API its answers point to (once).</summary>
    public static IEndpointRouteBuilder MapPredict(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOnce("predict", e => e.MapPredictApi().MapPredictCompatibilityRoutes()).MapJobs();

    private sealed class Loader(IOptions<ServerOptions> server) : IArtifactLoader<DiabetesModel>
    {
        public string Name => "diabetes";

        public ArtifactDirectory Directory { get; } = DiabetesTrainer.Store(server.Value.DataDir);

        public DiabetesModel Load(string path, CancellationToken cancellationToken) => DiabetesModelFile.Read(path);
    }

    private sealed partial class Bootstrap(
        DiabetesTrainer trainer, DatasetFetcher fetcher, IOptions<ServerOptions> server, IOptions<PredictOptions> options, ILogger<Bootstrap> logger)
        : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var dataDir = server.Value.DataDir;
            if (!options.Value.Bootstrap || File.Exists(DiabetesTrainer.Store(dataDir).CheckpointPath))
            {
                return;
            }

            try
            {
                var dataset = options.Value.Dataset;
                var (csv, source, demo) = string.IsNullOrWhiteSpace(dataset)
                    ? (DiabetesSynthetic.Csv(), "demo:seed=42", true)
                    : (await File.ReadAllTextAsync(await fetcher.FetchAsync(dataset, dataDir, null, false, stoppingToken), stoppingToken), dataset, false);
                await trainer.TrainAsync(csv, source, demo, dataDir, 42, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is IOException or InvalidDataException or HttpRequestException or ArgumentException)
            {
                LogFailed(logger, e, e.Message);
            }
        }

        [LoggerMessage(EventId = EventIds.PredictServicesFailed, Level = LogLevel.Error, Message = "Diabetes model training at start failed: {Reason}")]
        private static partial void LogFailed(ILogger logger, Exception exception, string reason);
    }
}
