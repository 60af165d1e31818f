using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Core.Hosting;
using Quarry.Movies.Data;
using Quarry.Movies.Import;
using Quarry.Movies.Synthetic;

namespace Quarry.Movies.Training;

/// <summary>
/// Prepares the store at start and, on a fresh data directory (empty store, no model), imports a small seeded
/// synthetic catalog and trains on it in the background, so the movies page works at once.
/// </summary>
internal sealed partial class MovieBootstrap(
    IMovieStore store, MovieTrainer trainer, IOptions<ServerOptions> server, IOptions<MoviesOptions> options, ILogger<MovieBootstrap> logger)
    : BackgroundService
{
    /// <summary>Creates the schema before the server takes requests; an unreachable database is logged and retried in the background.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
            _initialized = true;
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            LogFailed(logger, e, e.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    private bool _initialized;

    internal static bool IsStoreFailure(Exception e) =>
        e is IOException or InvalidDataException or InvalidOperationException or Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException
            or System.Net.Sockets.SocketException or TimeoutException;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dataDir = server.Value.DataDir;
        try
        {
            while (!_initialized)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                try
                {
                    await store.InitializeAsync(stoppingToken);
                    _initialized = true;
                }
                catch (Exception e) when (IsStoreFailure(e))
                {
                    LogFailed(logger, e, e.Message);
                }
            }

            if (!options.Value.Bootstrap || File.Exists(MovieTrainer.Store(dataDir).CheckpointPath))
            {
                return;
            }

            var counts = await store.CountsAsync(stoppingToken);
            if (counts.Movies == 0)
            {
                var demo = Path.Combine(dataDir, "datasets", "demo-movies");
                LogGenerating(logger, demo);
                await SyntheticMovieLens.WriteAsync(demo, new SyntheticMovieOptions(), stoppingToken);
                await MovieLensImporter.ImportAsync(demo, store, null, stoppingToken);
            }

            await trainer.TrainAsync(new MovieTrainingOptions { DataDir = dataDir }, null, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (IsStoreFailure(e) || e is ArgumentException)
        {
            LogFailed(logger, e, e.Message);
        }
    }

    [LoggerMessage(EventId = EventIds.MovieBootstrapGenerating, Level = LogLevel.Information,
        Message = "No movie model yet: importing a synthetic demo catalog from {Path} and training on it (set Quarry__Movies__Bootstrap=false to skip)")]
    private static partial void LogGenerating(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.MovieBootstrapFailed, Level = LogLevel.Error, Message = "Movie store preparation or demo training failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);
}
