using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;
using Quarry.Movies.Api;
using Quarry.Movies.Data;
using Quarry.Movies.Model;
using Quarry.Movies.Training;

namespace Quarry.Movies;

/// <summary>Registers and maps the movie recommendation service (S1).</summary>
public static class MoviesServices
{
    /// <summary>File name of the SQLite store inside the data directory.</summary>
    public const string SqliteFileName = "movies.db";

    /// <summary>Adds the store, the trainer, the model watcher, readiness and (on a fresh data dir) the demo bootstrap. Safe to call more than once.</summary>
    public static IServiceCollection AddMovies(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ImplementationType == typeof(MovieBootstrap)))
        {
            return services;
        }

        services.AddMovieStore();
        services.AddModelArtifacts<MovieModel, MovieModelLoader>("movies", sp => sp.GetRequiredService<IOptions<MoviesOptions>>().Value.PollInterval);
        services.AddHostedService<MovieBootstrap>();
        services.AddMetrics();
        services.TryAddSingleton<Core.Telemetry.RecommendationMetrics>();
        services.AddUiLink(new UiLink("Movies", "/movies.html", "Like movies and get recommendations from what similar users liked.", 20));
        return services;
    }

    /// <summary>Adds the configured store and the trainer (what the CLI commands need).</summary>
    public static IServiceCollection AddMovieStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddQuarryBasics().AddSettings<MoviesOptions, MoviesOptionsValidator>(MoviesOptions.Section);
        services.TryAddSingleton<IMovieStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MoviesOptions>>().Value;
            var dataDir = sp.GetRequiredService<IOptions<ServerOptions>>().Value.DataDir;
            return options.Store == MovieStoreKind.Postgres
                ? new PostgresMovieStore(options.Postgres!, sp.GetRequiredService<TimeProvider>())
                : new SqliteMovieStore(Path.Combine(dataDir, SqliteFileName), sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<MovieTrainer>();
        return services;
    }

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapMovies(this IEndpointRouteBuilder endpoints) => endpoints.MapOnce("movies", e => e.MapMoviesApi());

    private sealed class MovieModelLoader(IOptions<ServerOptions> server) : IArtifactLoader<MovieModel>
    {
        public string Name => "movies";

        public ArtifactDirectory Directory { get; } = MovieTrainer.Store(server.Value.DataDir);

        public MovieModel Load(string path, CancellationToken cancellationToken) => MovieModelFile.Read(path, cancellationToken);
    }
}
