namespace Quarry.Learn.Recommenders;

/// <summary>The baseline: every user gets the items liked by the most users.</summary>
public sealed class MostPopular : IRecommender
{
    private readonly float[] _popularity;

    /// <summary>Counts users per item in <paramref name="data"/>.</summary>
    public MostPopular(InteractionMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _popularity = Array.ConvertAll(data.ItemCounts(), c => (float)c);
    }

    /// <inheritdoc/>
    public int Items => _popularity.Length;

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != Items)
        {
            throw new ArgumentException($"scores needs {Items} elements", nameof(scores));
        }

        _popularity.CopyTo(scores);
    }
}
