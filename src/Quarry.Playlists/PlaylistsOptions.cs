namespace Quarry.Playlists;

/// <summary>Settings of the playlist service, bound from <c>Quarry:Playlists</c> (<c>Quarry__Playlists__...</c>); checked by <see cref="PlaylistsOptionsValidator"/>.</summary>
public sealed class PlaylistsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Playlists";

    /// <summary>On a data directory with no model yet, generate demo playlists and train on them so the service works at once.</summary>
    public bool Bootstrap { get; set; } = true;

    /// <summary>How often the checkpoint is re-read when no file event arrives (10 ms to 1 hour).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
