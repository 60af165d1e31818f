using Quarry.Core.Artifacts;
using Quarry.Playlists.Model;

namespace Quarry.Playlists;

/// <summary>Where playlist models live inside the data directory.</summary>
public static class PlaylistStore
{
    /// <summary>The artifact folder under <paramref name="dataDir"/>.</summary>
    public static ArtifactDirectory Open(string dataDir) =>
        new(Path.Combine(dataDir, "playlists"), "rules", RuleModelFile.Extension);
}
