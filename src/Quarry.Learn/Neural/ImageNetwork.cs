using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Quarry.Learn.Data;

namespace Quarry.Learn.Neural;

/// <summary>The two digit-classifier architectures: a feed-forward net (free tier) and a small convolutional net (premium tier).</summary>
public enum NetworkKind
{
    /// <summary>Linear(784, 500) → ReLU → Linear(500, 10) on pixels / 255.</summary>
    FeedForward,

    /// <summary>Conv2d(1, 3, 3) → ReLU → Linear(2028, 128) → ReLU → Linear(128, 10) on standardised pixels.</summary>
    Convolutional,
}

/// <summary>
/// A 28×28 greyscale, ten-class image classifier whose weights live in one flat array, so an optimiser and a gradient
/// reduction each see one span. That array is in the network's own training layout (a layer may keep its weights in
/// <see cref="Linear.PanelLayout"/>); <see cref="ExportParameters"/> and <see cref="FromParameters"/> speak PyTorch's order.
/// Forward and backward passes run on a per-thread <see cref="Workspace"/>.
/// </summary>
public abstract class ImageNetwork
{
    /// <summary>Image height and width.</summary>
    public const int Side = 28;

    /// <summary>Pixels of one image.</summary>
    public const int Pixels = Side * Side;

    /// <summary>Output classes.</summary>
    public const int Classes = 10;

    private protected ImageNetwork(float[] weights) => Weights = weights;

    /// <summary>Which architecture this is.</summary>
    public abstract NetworkKind Kind { get; }

    /// <summary>Every weight and bias in the training layout, which <see cref="Workspace.Gradients"/> shares.</summary>
    internal float[] Weights { get; }

    /// <summary>Floats a workspace holds per input image (the image plus any padding the layer needs).</summary>
    internal abstract int InputStride { get; }

    /// <summary>A network of <paramref name="kind"/> with PyTorch's default initialisation drawn from <paramref name="random"/>.</summary>
    public static ImageNetwork Create(NetworkKind kind, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var parameters = new float[ParameterCountOf(kind)];
        if (kind == NetworkKind.FeedForward)
        {
            FeedForwardNetwork.Initialize(parameters, random);
        }
        else
        {
            ConvolutionalNetwork.Initialize(parameters, random);
        }

        return FromParameters(kind, parameters);
    }

    /// <summary>A network of <paramref name="kind"/> with the given parameters in PyTorch's order (e.g. read from an artifact).</summary>
    public static ImageNetwork FromParameters(NetworkKind kind, ReadOnlySpan<float> parameters)
    {
        var expected = ParameterCountOf(kind);
        if (parameters.Length != expected)
        {
            throw new ArgumentException($"a {kind} network has {expected} parameters, not {parameters.Length}", nameof(parameters));
        }

        ImageNetwork network = kind == NetworkKind.FeedForward ? new FeedForwardNetwork() : new ConvolutionalNetwork();
        network.FromStandardOrder(parameters, network.Weights);
        return network;
    }

    /// <summary>Every weight and bias in PyTorch's order, layer after layer, weights out × in: what an artifact stores.</summary>
    public float[] ExportParameters() => ToStandardOrder(Weights);

    /// <summary>Values in the training layout (weights or their gradients) rearranged into PyTorch's order.</summary>
    internal float[] ToStandardOrder(ReadOnlySpan<float> layout)
    {
        var standard = new float[ParameterCountOf(Kind)];
        ToStandardOrder(layout, standard);
        return standard;
    }

    /// <summary>How many parameters a network of <paramref name="kind"/> has.</summary>
    public static int ParameterCountOf(NetworkKind kind) => kind switch
    {
        NetworkKind.FeedForward => FeedForwardNetwork.ParameterCount,
        NetworkKind.Convolutional => ConvolutionalNetwork.ParameterCount,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown network kind"),
    };

    /// <summary>
    /// Class probabilities of one image given as <see cref="Pixels"/> values from 0 (background) to 255 (ink);
    /// returns the most probable class.
    /// </summary>
    public int Predict(ReadOnlySpan<float> pixels, Span<float> probabilities)
    {
        if (pixels.Length != Pixels)
        {
            throw new ArgumentException($"an image has {Pixels} pixels, not {pixels.Length}", nameof(pixels));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(probabilities.Length, Classes);
        var workspace = CreateWorkspace(1);
        var input = workspace.Input.AsSpan(0, InputStride);
        for (var i = 0; i < Pixels; i++)
        {
            input[i] = Normalize(Math.Clamp(pixels[i], 0f, 255f));
        }

        Forward(workspace, 1);
        SoftmaxCrossEntropy.Softmax(workspace.Logits.AsSpan(0, Classes), probabilities);
        var best = 0;
        for (var c = 1; c < Classes; c++)
        {
            if (probabilities[c] > probabilities[best])
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>Buffers for batches of up to <paramref name="capacity"/> images.</summary>
    internal abstract Workspace CreateWorkspace(int capacity);

    /// <summary>Computes <see cref="Workspace.Logits"/> for the first <paramref name="count"/> inputs.</summary>
    internal abstract void Forward(Workspace workspace, int count);

    /// <summary>Overwrites <see cref="Workspace.Gradients"/> from <see cref="Workspace.LogitGradient"/> after a forward pass.</summary>
    internal abstract void Backward(Workspace workspace, int count);

    /// <summary>Copies images <paramref name="indices"/> of <paramref name="set"/>, normalised, and their labels into the workspace.</summary>
    internal void Load(ImageSet set, ReadOnlySpan<int> indices, Workspace workspace)
    {
        var stride = InputStride;
        var (mean, deviation) = Standardisation;
        for (var n = 0; n < indices.Length; n++)
        {
            var source = set.Pixels.AsSpan(indices[n] * Pixels, Pixels);
            var target = workspace.Input.AsSpan(n * stride, Pixels);
            var i = 0;
            if (Avx512F.IsSupported)
            {
                // The same IEEE operations as the scalar loop, sixteen pixels at a time, so the values are identical.
                var vmean = Vector512.Create(mean);
                var vdeviation = Vector512.Create(deviation);
                var scale = Vector512.Create(255f);
                for (; i + 16 <= Pixels; i += 16)
                {
                    var bytes = Vector128.Create(source.Slice(i, 16));
                    var values = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(bytes));
                    (((values / scale) - vmean) / vdeviation).CopyTo(target[i..]);
                }
            }

            for (; i < Pixels; i++)
            {
                target[i] = ((source[i] / 255f) - mean) / deviation;
            }

            workspace.Labels[n] = set.Labels[indices[n]];
        }
    }

    /// <summary>The input transform (pixel / 255 − mean) / deviation; (0, 1) leaves pixel / 255 exactly.</summary>
    private protected abstract (float Mean, float Deviation) Standardisation { get; }

    /// <summary>The input transform of one pixel value (0..255).</summary>
    private float Normalize(float pixel)
    {
        var (mean, deviation) = Standardisation;
        return ((pixel / 255f) - mean) / deviation;
    }

    /// <summary>Rearranges PyTorch-ordered values into the training layout; the same order unless a layer overrides it.</summary>
    private protected virtual void FromStandardOrder(ReadOnlySpan<float> standard, Span<float> layout) => standard.CopyTo(layout);

    /// <summary>Rearranges training-layout values into PyTorch's order; the inverse of <see cref="FromStandardOrder"/>.</summary>
    private protected virtual void ToStandardOrder(ReadOnlySpan<float> layout, Span<float> standard) => layout[..standard.Length].CopyTo(standard);

    /// <summary>Values within ±1/√<paramref name="fanIn"/>: PyTorch's Kaiming-uniform weights and uniform biases.</summary>
    private protected static void Uniform(Span<float> values, int fanIn, Random random)
    {
        var bound = 1.0 / Math.Sqrt(fanIn);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
        }
    }
}

/// <summary>Per-thread buffers of a forward and backward pass; subclasses add their layers' activations.</summary>
internal class Workspace
{
    public Workspace(int capacity, int inputStride, int weightCount)
    {
        Capacity = capacity;
        Input = new float[capacity * inputStride];
        Labels = new byte[capacity];
        Logits = new float[capacity * ImageNetwork.Classes];
        LogitGradient = new float[capacity * ImageNetwork.Classes];
        Gradients = new float[weightCount];
    }

    public int Capacity { get; }

    public float[] Input { get; }

    public byte[] Labels { get; }

    public float[] Logits { get; }

    public float[] LogitGradient { get; }

    public float[] Gradients { get; }
}
