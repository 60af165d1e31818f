using Microsoft.Extensions.Options;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Playlists.Model;

namespace Quarry.Playlists.Serving;

/// <summary>Loads <c>.qrules</c> artifacts from the data directory for the hot-swap watcher.</summary>
internal sealed class PlaylistModelLoader(IOptions<ServerOptions> server) : IArtifactLoader<RuleModel>
{
    public string Name => "playlists";

    public ArtifactDirectory Directory { get; } = PlaylistStore.Open(server.Value.DataDir);

    public RuleModel Load(string path, CancellationToken cancellationToken) => RuleModelFile.Read(path, cancellationToken);
}
