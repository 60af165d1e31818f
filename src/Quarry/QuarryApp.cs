using Microsoft.Extensions.Logging.Console;
using Quarry.Cli;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;
using Quarry.Jobs;
using Quarry.Movies;
using Quarry.Playground;
using Quarry.Playlists;
using Quarry.Predict;
using Quarry.Vision;

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
        builder.Services.AddUiLink(new UiLink("API reference", ServerSetup.ApiReferencePath, "Every endpoint, to read and try out (the OpenAPI document is /openapi/v1.json).", 1000));
        configure?.Invoke(builder);
        var services = EnabledServices(builder.Configuration);
        foreach (var service in Services.Where(s => services.Contains(s.Name)))
        {
            service.Add(builder.Services);
        }

        SettingsServices.CheckFormats(builder.Services, builder.Configuration);
        var app = builder.Build();
        app.UseQuarryServer();
        foreach (var service in Services.Where(s => services.Contains(s.Name)))
        {
            service.Map(app);
        }

        map?.Invoke(app);
        return app;
    }

    /// <summary>Configuration key listing the services a server runs (<c>Quarry__Services</c>, comma-separated).</summary>
    public const string ServicesKey = ServerOptions.ServicesKey;

    /// <summary>Every service, in the order they are composed; all run unless <see cref="ServicesKey"/> says otherwise.</summary>
    internal static readonly IReadOnlyList<(string Name, Action<IServiceCollection> Add, Action<WebApplication> Map)> Services =
    [
        ("movies", s => s.AddMovies(), a => a.MapMovies()),
        ("predict", s => s.AddPredict(), a => a.MapPredict()),
        ("playlists", s => s.AddPlaylists(), a => a.MapPlaylists()),
        ("jobs", s => s.AddJobsServer(), a => a.MapJobs()),
        ("playground", s => s.AddPlayground(), a => a.MapPlayground()),
        ("vision", s => s.AddVision(), a => a.MapVision()),
    ];

    /// <summary>
    /// The services named in <see cref="ServicesKey"/>, or all of them (a service brings what it depends on itself: predict
    /// adds and maps jobs). An unknown name stops the server with the list of known ones.
    /// </summary>
    internal static HashSet<string> EnabledServices(IConfiguration configuration)
    {
        var value = configuration[ServicesKey];
        var known = Services.Select(s => s.Name).ToList();
        if (string.IsNullOrWhiteSpace(value))
        {
            return [.. known];
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0 || names.Count == 0)
        {
            throw new BadSettingsException([
                $"Quarry__Services must list services from {string.Join(", ", known)} (was '{value}'{(unknown.Count == 0 ? "" : ": unknown " + string.Join(", ", unknown))})"]);
        }

        return names;
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
