using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Movies.Data;
using Quarry.Movies.Import;
using Quarry.Movies.Model;
using Quarry.Movies.Synthetic;
using Quarry.Movies.Training;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Movies;

/// <summary>A server whose movie store holds a small synthetic catalog, with a trained model loaded.</summary>
public sealed class MovieServer : IAsyncDisposable
{
    private readonly TempDirectory _files = new();

    private MovieServer(QuarryServer server) => Server = server;

    public QuarryServer Server { get; }

    public HttpClient Client => Server.Client;

    public IMovieStore Store => Server.App.Services.GetRequiredService<IMovieStore>();

    public MovieModel Model => Server.App.Services.GetRequiredService<ModelSwap<MovieModel>>().Current!.Model;

    /// <summary>Starts a server (SQLite, or PostgreSQL when <paramref name="postgres"/> is given), imports synthetic data and trains.</summary>
    public static async Task<MovieServer> StartAsync(string? postgres = null, bool train = true)
    {
        var server = new MovieServer(await QuarryServer.StartAsync(configure: b =>
        {
            b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
            b.Configuration["Quarry:Movies:Bootstrap"] = "false";
            b.Configuration["Quarry:Movies:PollInterval"] = "00:00:00.200";
            if (postgres is not null)
            {
                b.Configuration["Quarry:Movies:Store"] = "postgres";
                b.Configuration["Quarry:Movies:Postgres"] = postgres;
            }
        }));
        var data = Path.Combine(server._files.Path, "movielens");
        await SyntheticMovieLens.WriteAsync(data, new SyntheticMovieOptions { Users = 600, Movies = 300, Seed = 7 }, TestContext.Current.CancellationToken);
        await MovieLensImporter.ImportAsync(data, server.Store, null, TestContext.Current.CancellationToken);
        if (train)
        {
            await server.TrainAsync();
        }

        return server;
    }

    public async Task<Publication> TrainAsync()
    {
        var trainer = Server.App.Services.GetRequiredService<MovieTrainer>();
        var result = await trainer.TrainAsync(new MovieTrainingOptions { DataDir = Server.DataDir }, null, TestContext.Current.CancellationToken);
        var swap = Server.App.Services.GetRequiredService<ModelSwap<MovieModel>>();
        await Wait.UntilAsync(() => swap.Current?.Publication == result.Publication, TimeSpan.FromSeconds(30), "the server to load the movie model");

        return result.Publication;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _files.Dispose();
    }
}
