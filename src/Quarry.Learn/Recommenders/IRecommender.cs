namespace Quarry.Learn.Recommenders;

/// <summary>Anything that scores all items for a history of liked items.</summary>
public interface IRecommender
{
    /// <summary>Number of items scored.</summary>
    int Items { get; }

    /// <summary>Writes one score per item (scores.Length == Items; higher is better; history items may get any score, callers exclude them).</summary>
    void Score(ReadOnlySpan<int> history, Span<float> scores);
}
