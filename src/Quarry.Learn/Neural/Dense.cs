using Quarry.Learn.Linear;

namespace Quarry.Learn.Neural;

/// <summary>A fully connected layer on a row-major batch, weights stored out × in as PyTorch stores them.</summary>
internal static class Dense
{
    /// <summary>y = x·Wᵀ + b for <paramref name="count"/> rows, then ReLU when asked.</summary>
    public static void Forward(
        ReadOnlySpan<float> x, int count, int inputs, int outputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y, bool relu)
    {
        Rows.Broadcast(bias, y, count);
        Sgemm.Multiply(count, outputs, inputs, x, inputs, false, weights, inputs, true, y, outputs, accumulate: true, threads: 1);
        if (relu)
        {
            Rows.Relu(y[..(count * outputs)]);
        }
    }

    /// <summary>
    /// From the output gradient <paramref name="dy"/>: the weight gradient dyᵀ·x, the bias gradient (column sums of dy) and,
    /// unless <paramref name="dx"/> is empty (a first layer), the input gradient dy·W.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int count, int inputs, int outputs, ReadOnlySpan<float> weights,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> dx)
    {
        Sgemm.Multiply(outputs, inputs, count, dy, outputs, true, x, inputs, false, weightGradient, inputs, threads: 1);
        biasGradient.Clear();
        Rows.AddColumnSums(dy, count, biasGradient);
        if (!dx.IsEmpty)
        {
            Sgemm.Multiply(count, inputs, outputs, dy, outputs, false, weights, inputs, false, dx, inputs, threads: 1);
        }
    }

    /// <summary>As <see cref="Forward"/> with the weights kept as the inputs×outputs matrix Wᵀ in <see cref="PanelLayout"/>.</summary>
    public static void ForwardByPanels(
        ReadOnlySpan<float> x, int count, int inputs, int outputs, ReadOnlySpan<float> panelWeights, ReadOnlySpan<float> bias, Span<float> y, bool relu)
    {
        Rows.Broadcast(bias, y, count);
        Sgemm.MultiplyByPanels(count, outputs, inputs, x, inputs, false, panelWeights, y, outputs, accumulate: true, threads: 1);
        if (relu)
        {
            Rows.Relu(y[..(count * outputs)]);
        }
    }

    /// <summary>
    /// The weight gradient xᵀ·dy, written as the inputs×outputs matrix in <see cref="PanelLayout"/> (the layout
    /// <see cref="ForwardByPanels"/> reads), and the bias gradient, of a first layer (no input gradient).
    /// </summary>
    public static void BackwardIntoPanels(
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int count, int inputs, int outputs, Span<float> panelWeightGradient, Span<float> biasGradient)
    {
        Sgemm.MultiplyIntoPanels(inputs, outputs, count, x, inputs, true, dy, outputs, false, panelWeightGradient, threads: 1);
        biasGradient.Clear();
        Rows.AddColumnSums(dy, count, biasGradient);
    }
}
