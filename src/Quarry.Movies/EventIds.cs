namespace Quarry.Movies;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>MovieTrainer.LogRead</c>.</summary>
    public const int MovieTrainerRead = 5000;

    /// <summary><c>MovieTrainer.LogPublished</c>.</summary>
    public const int MovieTrainerPublished = 5001;

    /// <summary><c>MovieBootstrap.LogGenerating</c>.</summary>
    public const int MovieBootstrapGenerating = 5100;

    /// <summary><c>MovieBootstrap.LogFailed</c>.</summary>
    public const int MovieBootstrapFailed = 5101;
}
