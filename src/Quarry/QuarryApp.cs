using Microsoft.Extensions.Logging.Console;
using Quarry.Cli;
using Quarry.Core.Hosting;
using Quarry.Jobs;
using Quarry.Movies;
using Quarry.Playground;
using Quarry.Playlists;
using Quarry.Predict;

namespace Quarry;

/// <summary>Composes the server from the capabilities; <c>quarry serve</c> and the tests both build it here.</summary>
public static class QuarryApp
{
    /// <summary>Where the server listens when nothing else is configured.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Builds the server; <paramref name="configure"/> lets a caller add services or endpoints.</summary>
    public static WebApplication Build(ServeSettings settings, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });

        ApplyDataDir(builder.Configuration, settings.DataDir);
        builder.WebHost.UseUrls(settings.Urls ?? builder.Configuration["urls"] ?? DefaultUrls);
        ConfigureLogging(builder.Logging);
        builder.AddQuarryServer();
        builder.Services.AddMovies();
        builder.Services.AddPredict();
        builder.Services.AddPlaylists();
        builder.Services.AddJobs().AddJobWorker();
        builder.Services.AddSingleton(new UiLink("API reference", "/openapi/v1.json", "OpenAPI description of every endpoint.", 1000));
        configure?.Invoke(builder);
        var playground = builder.Configuration.GetValue($"{PlaygroundOptions.Section}:{nameof(PlaygroundOptions.Enabled)}", true);
        if (playground)
        {
            builder.Services.AddPlayground();
        }

        var app = builder.Build();
        app.UseQuarryServer();
        app.MapMovies();
        app.MapPredict();
        app.MapPlaylists();
        app.MapJobs();
        if (playground)
        {
            app.MapPlayground();
        }

        map?.Invoke(app);
        return app;
    }

    /// <summary>Puts <c>--data-dir</c>, else <c>QUARRY_DATA_DIR</c>, into <c>Quarry:DataDir</c>.</summary>
    internal static void ApplyDataDir(IConfiguration configuration, string? dataDir)
    {
        dataDir ??= Environment.GetEnvironmentVariable(CommonOptions.DataDirVariable);
        if (!string.IsNullOrWhiteSpace(dataDir))
        {
            configuration[$"{ServerOptions.Section}:{nameof(ServerOptions.DataDir)}"] = dataDir;
        }
    }

    /// <summary>Plain single-line logs, or JSON lines when <c>QUARRY_LOG_FORMAT=json</c>.</summary>
    internal static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (string.Equals(Environment.GetEnvironmentVariable("QUARRY_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Default;
            });
        }
    }
}
