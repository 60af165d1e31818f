using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quarry.Core.Artifacts;
using Quarry.Core.Datasets;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;
using Quarry.Playlists.Model;
using Quarry.Playlists.Serving;
using Quarry.Playlists.Training;

namespace Quarry.Playlists;

/// <summary>Registers and maps the playlist recommendation service (S6).</summary>
public static class PlaylistServices
{
    /// <summary>Adds the model watcher, readiness, the trainer and (on a fresh data dir) the demo bootstrap. Safe to call more than once.</summary>
    public static IServiceCollection AddPlaylists(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ImplementationType == typeof(PlaylistBootstrap)))
        {
            return services;
        }

        services.AddSettings<PlaylistsOptions, PlaylistsOptionsValidator>(PlaylistsOptions.Section);
        services.AddPlaylistTraining();
        services.AddModelArtifacts<RuleModel, PlaylistModelLoader>("playlists",
            sp => sp.GetRequiredService<IOptions<PlaylistsOptions>>().Value.PollInterval);
        services.AddHostedService<PlaylistBootstrap>();
        services.AddMetrics();
        services.TryAddSingleton<Core.Telemetry.RecommendationMetrics>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Serving.PlaylistJsonContext.Default));

        services.AddUiLink(new UiLink("Playlists", "/playlists.html", "Build a playlist and get song recommendations from mined association rules.", 10));
        return services;
    }

    /// <summary>Adds what <c>quarry train playlists</c> needs: the dataset fetcher and the trainer.</summary>
    public static IServiceCollection AddPlaylistTraining(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddQuarryBasics();
        services.AddDatasetFetcher();
        services.TryAddSingleton<PlaylistTrainer>();
        return services;
    }

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapPlaylists(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOnce("playlists", e => e.MapPlaylistsCompatibilityRoutes().MapPlaylistsApi());
}
