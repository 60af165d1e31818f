namespace Quarry.Playlists;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>PlaylistTrainer.LogUpToDate</c>.</summary>
    public const int PlaylistTrainerUpToDate = 3000;

    /// <summary><c>PlaylistTrainer.LogRead</c>.</summary>
    public const int PlaylistTrainerRead = 3001;

    /// <summary><c>PlaylistTrainer.LogPublished</c>.</summary>
    public const int PlaylistTrainerPublished = 3002;

    /// <summary><c>PlaylistBootstrap.LogGenerating</c>.</summary>
    public const int PlaylistBootstrapGenerating = 3100;

    /// <summary><c>PlaylistBootstrap.LogFailed</c>.</summary>
    public const int PlaylistBootstrapFailed = 3101;
}
