namespace Quarry.Predict;

/// <summary>Settings of the prediction service, bound from <c>Quarry:Predict</c> (<c>Quarry__Predict__...</c>); checked by <see cref="PredictOptionsValidator"/>.</summary>
public sealed class PredictOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Quarry:Predict";

    /// <summary>The section's name before it was renamed; settings still given there stop start-up.</summary>
    public const string FormerSection = "Quarry:Diabetes";

    /// <summary>CSV (path or URL) to train on at start when no model exists; empty means seeded demo data.</summary>
    public string? Dataset { get; set; }

    /// <summary>Train at start when no model exists.</summary>
    public bool Bootstrap { get; set; } = true;

    /// <summary>How often the model checkpoint is re-read (10 ms to 1 hour).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
