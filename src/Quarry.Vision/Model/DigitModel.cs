using Quarry.Learn.Neural;

namespace Quarry.Vision.Model;

/// <summary>A trained classifier with what it was trained on and how well it did on the test set.</summary>
/// <param name="Network">The trained network.</param>
/// <param name="Dataset">The dataset's name.</param>
/// <param name="Accuracy">Fraction of the test set classified correctly.</param>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="Seed">The training seed.</param>
public sealed record DigitModel(ImageNetwork Network, string Dataset, double Accuracy, int Epochs, int Seed)
{
    /// <summary>The model's name as the original's job names start: <c>ff</c> or <c>cnn</c>.</summary>
    public string ModelName => ModelNames.Of(Network.Kind);
}

/// <summary>The short names of the two networks as users and the original's <c>TYPE</c> variable write them.</summary>
public static class ModelNames
{
    /// <summary>The short name of <paramref name="kind"/>.</summary>
    public static string Of(NetworkKind kind) => kind == NetworkKind.FeedForward ? "ff" : "cnn";

    /// <summary>Parses <c>ff</c>, <c>cnn</c> or the original's <c>cnv</c> (case-insensitive); null for anything else.</summary>
    public static NetworkKind? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "ff" => NetworkKind.FeedForward,
        "cnn" or "cnv" => NetworkKind.Convolutional,
        _ => null,
    };
}
