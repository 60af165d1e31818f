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
/// A 28×28 greyscale, ten-class image classifier whose parameters live in one flat array, so an optimiser, a gradient
/// reduction and the artifact writer each see one span. Forward and backward passes run on a per-thread <see cref="Workspace"/>.
/// </summary>
public abstract class ImageNetwork
{
    /// <summary>Image height and width.</summary>
    public const int Side = 28;

    /// <summary>Pixels of one image.</summary>
    public const int Pixels = Side * Side;

    /// <summary>Output classes.</summary>
    public const int Classes = 10;

    private readonly float[] _lookup = new float[256];

    private protected ImageNetwork(float[] parameters)
    {
        Parameters = parameters;
        for (var i = 0; i < _lookup.Length; i++)
        {
            _lookup[i] = Normalize(i);
        }
    }

    /// <summary>Which architecture this is.</summary>
    public abstract NetworkKind Kind { get; }

    /// <summary>Every weight and bias, layer after layer.</summary>
    public float[] Parameters { get; }

    /// <summary>Floats a workspace holds per input image (the image plus any padding the layer needs).</summary>
    internal abstract int InputStride { get; }

    /// <summary>A network of <paramref name="kind"/> with PyTorch's default initialisation drawn from <paramref name="random"/>.</summary>
    public static ImageNetwork Create(NetworkKind kind, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ImageNetwork network = kind switch
        {
            NetworkKind.FeedForward => new FeedForwardNetwork(new float[FeedForwardNetwork.ParameterCount]),
            NetworkKind.Convolutional => new ConvolutionalNetwork(new float[ConvolutionalNetwork.ParameterCount]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown network kind"),
        };
        network.Initialize(random);
        return network;
    }

    /// <summary>A network of <paramref name="kind"/> with the given parameters (e.g. read from an artifact).</summary>
    public static ImageNetwork FromParameters(NetworkKind kind, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var expected = ParameterCountOf(kind);
        if (parameters.Length != expected)
        {
            throw new ArgumentException($"a {kind} network has {expected} parameters, not {parameters.Length}", nameof(parameters));
        }

        return kind == NetworkKind.FeedForward ? new FeedForwardNetwork(parameters) : new ConvolutionalNetwork(parameters);
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
        var lookup = _lookup;
        for (var n = 0; n < indices.Length; n++)
        {
            var source = set.Pixels.AsSpan(indices[n] * Pixels, Pixels);
            var target = workspace.Input.AsSpan(n * stride, Pixels);
            for (var i = 0; i < source.Length; i++)
            {
                target[i] = lookup[source[i]];
            }

            workspace.Labels[n] = set.Labels[indices[n]];
        }
    }

    /// <summary>The input transform of one pixel value (0..255).</summary>
    private protected abstract float Normalize(float pixel);

    /// <summary>Kaiming-uniform weights and uniform biases, both within ±1/√fan-in, as PyTorch's layers start.</summary>
    private protected abstract void Initialize(Random random);

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
    public Workspace(int capacity, int inputStride, int parameterCount)
    {
        Capacity = capacity;
        Input = new float[capacity * inputStride];
        Labels = new byte[capacity];
        Logits = new float[capacity * ImageNetwork.Classes];
        LogitGradient = new float[capacity * ImageNetwork.Classes];
        Gradients = new float[parameterCount];
    }

    public int Capacity { get; }

    public float[] Input { get; }

    public byte[] Labels { get; }

    public float[] Logits { get; }

    public float[] LogitGradient { get; }

    public float[] Gradients { get; }
}
