using System.Numerics.Tensors;
using Quarry.Learn.Linear;

namespace Quarry.Learn.Neural;

/// <summary>
/// Linear(784, 500) → ReLU → Linear(500, 10). In the training layout the first layer's weights are kept as the 784×500
/// matrix W1ᵀ in <see cref="PanelLayout"/>: the forward product reads them where they lie and the weight-gradient product
/// writes its result in the same layout, so the largest matrix is never repacked between steps. The rest is in PyTorch's
/// order (weights out × in).
/// Handwritten digits leave many pixels blank in every image of a batch (about a third of MNIST's in a batch of 100):
/// when enough are, the first layer multiplies only the pixels some image uses, a product over fewer rows of W1ᵀ whose
/// skipped terms were exact zeros.
/// </summary>
internal sealed class FeedForwardNetwork : ImageNetwork
{
    public const int Hidden = 500;

    /// <summary>Parameters in PyTorch's order: fc1 weight, fc1 bias, fc2 weight, fc2 bias.</summary>
    public const int ParameterCount = (Hidden * Pixels) + Hidden + (Classes * Hidden) + Classes;

    private const int W1 = 0;
    private const int W1Length = (Hidden + PanelLayout.Width - 1) / PanelLayout.Width * PanelLayout.Width * Pixels;
    private const int B1 = W1 + W1Length;
    private const int W2 = B1 + Hidden;
    private const int B2 = W2 + (Classes * Hidden);
    private const int WeightCount = B2 + Classes;

    /// <summary>The first layer runs on the used pixels only when at most this many are used: gathering costs the rest.</summary>
    private const int CompactBelow = Pixels * 7 / 8;

    public FeedForwardNetwork()
        : base(new float[WeightCount])
    {
    }

    public override NetworkKind Kind => NetworkKind.FeedForward;

    internal override int InputStride => Pixels;

    /// <summary>PyTorch's default initialisation of both layers, in PyTorch's order.</summary>
    public static void Initialize(Span<float> parameters, Random random)
    {
        Uniform(parameters[..(Hidden * Pixels)], Pixels, random);
        Uniform(parameters.Slice(Hidden * Pixels, Hidden), Pixels, random);
        Uniform(parameters.Slice((Hidden * Pixels) + Hidden, Classes * Hidden), Hidden, random);
        Uniform(parameters.Slice((Hidden * Pixels) + Hidden + (Classes * Hidden), Classes), Hidden, random);
    }

    internal override Workspace CreateWorkspace(int capacity) => new Buffers(capacity);

    internal override void Forward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Weights.AsSpan();
        var weights = p.Slice(W1, W1Length);
        w.Used = CollectUsedPixels(w.Input, count, w.PixelMaximum, w.UsedPixels);
        if (w.Used <= CompactBelow)
        {
            GatherColumns(w.Input, count, w.UsedPixels.AsSpan(0, w.Used), w.UsedInput);
            GatherPanelRows(weights, Pixels, w.UsedPixels.AsSpan(0, w.Used), w.UsedPanels);
            Dense.ForwardByPanels(w.UsedInput, count, w.Used, Hidden, w.UsedPanels, p.Slice(B1, Hidden), w.Hidden, relu: true);
        }
        else
        {
            Dense.ForwardByPanels(w.Input, count, Pixels, Hidden, weights, p.Slice(B1, Hidden), w.Hidden, relu: true);
        }

        Dense.Forward(w.Hidden, count, Hidden, Classes, p.Slice(W2, Classes * Hidden), p.Slice(B2, Classes), w.Logits, relu: false);
    }

    internal override void Backward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Weights.AsSpan();
        var g = w.Gradients.AsSpan();
        Dense.Backward(w.Hidden, w.LogitGradient, count, Hidden, Classes, p.Slice(W2, Classes * Hidden), g.Slice(W2, Classes * Hidden), g.Slice(B2, Classes), w.HiddenGradient);
        Rows.ReluBackward(w.Hidden.AsSpan(0, count * Hidden), w.HiddenGradient.AsSpan(0, count * Hidden));
        if (w.Used <= CompactBelow)
        {
            Dense.BackwardIntoPanels(w.UsedInput, w.HiddenGradient, count, w.Used, Hidden, w.UsedPanels, g.Slice(B1, Hidden));
            ScatterPanelRows(w.UsedPanels, w.UsedPixels.AsSpan(0, w.Used), g.Slice(W1, W1Length), Pixels);
        }
        else
        {
            Dense.BackwardIntoPanels(w.Input, w.HiddenGradient, count, Pixels, Hidden, g.Slice(W1, W1Length), g.Slice(B1, Hidden));
        }
    }

    /// <summary>
    /// Writes the pixels that are non-zero in at least one of the first <paramref name="count"/> images (inputs are
    /// pixel / 255, never negative, so their column maximum tells); returns how many.
    /// </summary>
    private static int CollectUsedPixels(ReadOnlySpan<float> input, int count, Span<float> maximum, Span<int> used)
    {
        input[..Pixels].CopyTo(maximum);
        for (var n = 1; n < count; n++)
        {
            TensorPrimitives.Max(maximum, input.Slice(n * Pixels, Pixels), maximum);
        }

        var total = 0;
        for (var i = 0; i < Pixels; i++)
        {
            if (maximum[i] != 0)
            {
                used[total++] = i;
            }
        }

        return total;
    }

    /// <summary>x[:, used] as a count × used.Length row-major matrix.</summary>
    private static void GatherColumns(ReadOnlySpan<float> input, int count, ReadOnlySpan<int> used, Span<float> target)
    {
        for (var n = 0; n < count; n++)
        {
            var image = input.Slice(n * Pixels, Pixels);
            var row = target.Slice(n * used.Length, used.Length);
            for (var r = 0; r < used.Length; r++)
            {
                row[r] = image[used[r]];
            }
        }
    }

    /// <summary>Rows <paramref name="used"/> of a panel-layout matrix of <paramref name="rows"/> rows, as a panel-layout matrix of used.Length rows.</summary>
    private static void GatherPanelRows(ReadOnlySpan<float> panels, int rows, ReadOnlySpan<int> used, Span<float> target)
    {
        const int W = PanelLayout.Width;
        var panelCount = panels.Length / (rows * W);
        for (var q = 0; q < panelCount; q++)
        {
            var source = panels.Slice(q * rows * W, rows * W);
            var destination = target.Slice(q * used.Length * W, used.Length * W);
            for (var r = 0; r < used.Length; r++)
            {
                source.Slice(used[r] * W, W).CopyTo(destination.Slice(r * W, W));
            }
        }
    }

    /// <summary>The inverse of <see cref="GatherPanelRows"/> into a matrix of <paramref name="rows"/> rows whose other rows become zero.</summary>
    private static void ScatterPanelRows(ReadOnlySpan<float> compact, ReadOnlySpan<int> used, Span<float> panels, int rows)
    {
        const int W = PanelLayout.Width;
        var panelCount = panels.Length / (rows * W);
        for (var q = 0; q < panelCount; q++)
        {
            var source = compact.Slice(q * used.Length * W, used.Length * W);
            var destination = panels.Slice(q * rows * W, rows * W);
            var next = 0;
            for (var i = 0; i < rows; i++)
            {
                var target = destination.Slice(i * W, W);
                if (next < used.Length && used[next] == i)
                {
                    source.Slice(next * W, W).CopyTo(target);
                    next++;
                }
                else
                {
                    target.Clear();
                }
            }
        }
    }

    private protected override (float Mean, float Deviation) Standardisation => (0f, 1f);

    private protected override void FromStandardOrder(ReadOnlySpan<float> standard, Span<float> layout)
    {
        // PyTorch's fc1 weight is 500×784 (out × in); its transpose, 784×500, goes into panels.
        var transposed = new float[Pixels * Hidden];
        for (var j = 0; j < Hidden; j++)
        {
            for (var i = 0; i < Pixels; i++)
            {
                transposed[(i * Hidden) + j] = standard[(j * Pixels) + i];
            }
        }

        PanelLayout.Pack(transposed, Pixels, Hidden, Hidden, layout.Slice(W1, W1Length));
        standard[(Hidden * Pixels)..].CopyTo(layout[B1..]);
    }

    private protected override void ToStandardOrder(ReadOnlySpan<float> layout, Span<float> standard)
    {
        var transposed = new float[Pixels * Hidden];
        PanelLayout.Unpack(layout.Slice(W1, W1Length), Pixels, Hidden, transposed, Hidden);
        for (var j = 0; j < Hidden; j++)
        {
            for (var i = 0; i < Pixels; i++)
            {
                standard[(j * Pixels) + i] = transposed[(i * Hidden) + j];
            }
        }

        layout[B1..].CopyTo(standard[(Hidden * Pixels)..]);
    }

    private sealed class Buffers(int capacity) : Workspace(capacity, Pixels, WeightCount)
    {
        /// <summary>Pixels the current batch uses (non-zero in some image), ascending; the first <see cref="Used"/> count.</summary>
        public int[] UsedPixels { get; } = new int[Pixels];

        public int Used { get; set; }

        public float[] PixelMaximum { get; } = new float[Pixels];

        /// <summary>The batch's inputs restricted to the used pixels.</summary>
        public float[] UsedInput { get; } = new float[capacity * Pixels];

        /// <summary>The used rows of W1ᵀ in the forward pass, then their gradient in the backward pass.</summary>
        public float[] UsedPanels { get; } = new float[W1Length];

        public float[] Hidden { get; } = new float[capacity * FeedForwardNetwork.Hidden];

        public float[] HiddenGradient { get; } = new float[capacity * FeedForwardNetwork.Hidden];
    }
}
