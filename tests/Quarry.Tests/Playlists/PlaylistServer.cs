using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Playlists.Data;
using Quarry.Playlists.Training;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Playlists;

/// <summary>A server with no demo bootstrap, plus a demo playlist CSV and a way to publish models into its data dir.</summary>
internal sealed class PlaylistServer : IAsyncDisposable
{
    private readonly TempDirectory _files = new();

    private PlaylistServer(QuarryServer server)
    {
        Server = server;
        DatasetPath = Path.Combine(_files.Path, "playlists.csv");
        PlaylistGenerator.WriteFile(DatasetPath, new PlaylistGeneratorOptions { Playlists = 2000, Songs = 600 });
    }

    public QuarryServer Server { get; }

    public string DatasetPath { get; }

    public HttpClient Client => Server.Client;

    public static async Task<PlaylistServer> StartAsync() =>
        new(await QuarryServer.StartAsync(configure: b =>
        {
            b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
            b.Configuration["Quarry:Playlists:PollInterval"] = "00:00:00.200";
        }));

    /// <summary>Trains on the demo CSV and publishes into the server's data directory (as `quarry train playlists --force` would).</summary>
    public async Task<Publication> PublishAsync(string version = "1.0.0")
    {
        var trainer = Server.App.Services.GetRequiredService<PlaylistTrainer>();
        var result = await trainer.TrainAsync(new PlaylistTrainingOptions
        {
            Dataset = DatasetPath,
            DataDir = Server.DataDir,
            Force = true,
            Version = version,
            MinSupport = 0.02,
        }, cancellationToken: TestContext.Current.CancellationToken);
        return result.Publication;
    }

    /// <summary>Polls until the server serves <paramref name="publication"/>.</summary>
    public async Task WaitForModelAsync(Publication publication)
    {
        var swap = Server.App.Services.GetRequiredService<ModelSwap<Quarry.Playlists.Model.RuleModel>>();
        await Wait.UntilAsync(() => swap.Current?.Publication == publication, TimeSpan.FromSeconds(30), $"the server to load the model from {publication.ModelDate}");
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _files.Dispose();
    }
}
