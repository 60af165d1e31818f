using System.Buffers;
using System.Numerics.Tensors;

namespace Quarry.Learn.Recommenders;

/// <summary>A weighted sum of two recommenders' scores: score = first + weight · second.</summary>
public sealed class BlendedRecommender : IRecommender
{
    private readonly IRecommender _first;
    private readonly IRecommender _second;

    /// <summary>Blends two recommenders over the same items.</summary>
    public BlendedRecommender(IRecommender first, IRecommender second, float secondWeight)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Items != second.Items)
        {
            throw new ArgumentException($"the recommenders score {first.Items} and {second.Items} items", nameof(second));
        }

        _first = first;
        _second = second;
        SecondWeight = secondWeight;
    }

    /// <inheritdoc/>
    public int Items => _first.Items;

    /// <summary>Weight of the second recommender's scores.</summary>
    public float SecondWeight { get; }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> history, Span<float> scores)
    {
        _first.Score(history, scores);
        var rented = ArrayPool<float>.Shared.Rent(Items);
        try
        {
            var other = rented.AsSpan(0, Items);
            _second.Score(history, other);
            TensorPrimitives.MultiplyAdd(other, SecondWeight, scores, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
