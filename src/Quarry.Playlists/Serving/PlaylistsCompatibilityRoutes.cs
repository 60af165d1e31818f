using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Core.Telemetry;
using Quarry.Playlists.Model;

namespace Quarry.Playlists.Serving;

/// <summary>
/// The original service's route, kept as it was for its users: <c>POST /api/recommend</c> <c>{"songs": [...]}</c> →
/// <c>{"songs", "version", "model_date"}</c>. Everything else of the capability is under <c>/api/playlists</c>.
/// </summary>
public static class PlaylistsCompatibilityRoutes
{
    /// <summary>Maps <c>POST /api/recommend</c>.</summary>
    public static IEndpointRouteBuilder MapPlaylistsCompatibilityRoutes(this IEndpointRouteBuilder endpoints)
    {
        // The swap is a singleton: taking it here spares each request a service scope and a lookup.
        var swap = endpoints.ServiceProvider.GetRequiredService<ModelSwap<RuleModel>>();
        var metrics = endpoints.ServiceProvider.GetRequiredService<RecommendationMetrics>();
        endpoints.MapPost("/api/recommend", (HttpRequest request, CancellationToken cancellationToken) => PlaylistsApi.RecommendAsync(request, swap, metrics, cancellationToken))
            .WithTags("Playlists")
            .WithName("RecommendSongs")
            .WithSummary("Songs to add to a playlist, from association rules mined offline (most popular songs when no rule matches).")
            .WithDescription("Body {\"songs\": [\"...\"], \"limit\": 10}, read as JSON whatever the content type.");
        return endpoints;
    }
}
