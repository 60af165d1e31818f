namespace Quarry.Predict;

/// <summary>Event ids of this assembly's log messages, one range per assembly so an id names one message across Quarry.</summary>
internal static class EventIds
{
    /// <summary><c>DiabetesTrainer.LogCandidate</c>.</summary>
    public const int DiabetesTrainerCandidate = 6000;

    /// <summary><c>DiabetesTrainer.LogPublished</c>.</summary>
    public const int DiabetesTrainerPublished = 6001;

    /// <summary><c>PredictServices.LogFailed</c>.</summary>
    public const int PredictServicesFailed = 6100;
}
