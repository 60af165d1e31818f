using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Core.Hosting;
using Quarry.Playlists.Data;

namespace Quarry.Playlists.Training;

/// <summary>
/// On a data directory with no playlist model, generates seeded demo playlists and trains on them in the
/// background, so a fresh <c>quarry serve</c> recommends songs within seconds. Never touches an existing model.
/// </summary>
internal sealed partial class PlaylistBootstrap(
    PlaylistTrainer trainer, IOptions<ServerOptions> server, IOptions<PlaylistsOptions> options, ILogger<PlaylistBootstrap> logger)
    : BackgroundService
{
    public const string DemoFileName = "demo-playlists.csv";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dataDir = server.Value.DataDir;
        var store = PlaylistStore.Open(dataDir);
        if (!options.Value.Bootstrap || File.Exists(store.CheckpointPath))
        {
            return;
        }

        try
        {
            var demo = Path.Combine(dataDir, "datasets", DemoFileName);
            if (!File.Exists(demo))
            {
                LogGenerating(logger, demo);
                await Task.Run(() =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(demo)!);
                    var temp = demo + ".tmp";
                    PlaylistGenerator.WriteFile(temp, new PlaylistGeneratorOptions(), stoppingToken);
                    File.Move(temp, demo, overwrite: true);
                }, stoppingToken);
            }

            await trainer.TrainAsync(new PlaylistTrainingOptions { Dataset = demo, DataDir = dataDir }, null, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            LogFailed(logger, e, e.Message);
        }
    }

    [LoggerMessage(EventId = EventIds.PlaylistBootstrapGenerating, Level = LogLevel.Information,
        Message = "No playlist model yet: generating demo playlists at {Path} and training on them (set Quarry__Playlists__Bootstrap=false to skip)")]
    private static partial void LogGenerating(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.PlaylistBootstrapFailed, Level = LogLevel.Error, Message = "Demo playlist training failed: {Reason}; /api/recommend stays unavailable until a model is published")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);
}
