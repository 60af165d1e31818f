using System.Numerics.Tensors;

namespace Quarry.Learn.Neural;

/// <summary>
/// Conv2d(1, 3, kernel 3, stride 1) → ReLU → flatten (3·26·26) → Linear(2028, 128) → ReLU → Linear(128, 10).
/// With one input channel and three output channels the convolution is nine scaled row additions per channel, done
/// directly on the image at its full 28-pixel stride (the two columns past the edge are computed and dropped), which
/// beats an im2col product whose output is only three columns wide.
/// </summary>
internal sealed class ConvolutionalNetwork : ImageNetwork
{
    public const int Channels = 3;
    public const int Kernel = 3;
    public const int OutSide = Side - Kernel + 1;
    public const int Flat = Channels * OutSide * OutSide;
    public const int Hidden = 128;

    /// <summary>Output positions at the input's stride: 26 rows of 28.</summary>
    private const int Positions = OutSide * Side;

    /// <summary>Input floats per image: the furthest tap reads 2·28 + 2 past the last output position.</summary>
    private const int Stride = 792;

    private const int Wc = 0;
    private const int Bc = Wc + (Channels * Kernel * Kernel);
    private const int W1 = Bc + Channels;
    private const int B1 = W1 + (Hidden * Flat);
    private const int W2 = B1 + Hidden;
    private const int B2 = W2 + (Classes * Hidden);
    public const int ParameterCount = B2 + Classes;

    private static readonly int[] Taps = [0, 1, 2, Side, Side + 1, Side + 2, 2 * Side, (2 * Side) + 1, (2 * Side) + 2];

    public ConvolutionalNetwork()
        : base(new float[ParameterCount])
    {
    }

    public override NetworkKind Kind => NetworkKind.Convolutional;

    internal override int InputStride => Stride;

    internal override Workspace CreateWorkspace(int capacity) => new Buffers(capacity);

    internal override void Forward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Weights;
        var full = w.Full.AsSpan();
        for (var n = 0; n < count; n++)
        {
            var image = w.Input.AsSpan(n * Stride, Stride);
            for (var c = 0; c < Channels; c++)
            {
                full.Fill(p[Bc + c]);
                for (var t = 0; t < Taps.Length; t++)
                {
                    TensorPrimitives.MultiplyAdd(image.Slice(Taps[t], Positions), p[Wc + (c * Taps.Length) + t], full, full);
                }

                var flat = w.Flat.AsSpan((n * Flat) + (c * OutSide * OutSide), OutSide * OutSide);
                for (var y = 0; y < OutSide; y++)
                {
                    TensorPrimitives.Max(full.Slice(y * Side, OutSide), 0f, flat.Slice(y * OutSide, OutSide));
                }
            }
        }

        Dense.Forward(w.Flat, count, Flat, Hidden, p.AsSpan(W1, Hidden * Flat), p.AsSpan(B1, Hidden), w.Hidden, relu: true);
        Dense.Forward(w.Hidden, count, Hidden, Classes, p.AsSpan(W2, Classes * Hidden), p.AsSpan(B2, Classes), w.Logits, relu: false);
    }

    internal override void Backward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Weights;
        var g = w.Gradients.AsSpan();
        Dense.Backward(w.Hidden, w.LogitGradient, count, Hidden, Classes, p.AsSpan(W2, Classes * Hidden), g.Slice(W2, Classes * Hidden), g.Slice(B2, Classes), w.HiddenGradient);
        Rows.ReluBackward(w.Hidden.AsSpan(0, count * Hidden), w.HiddenGradient.AsSpan(0, count * Hidden));
        Dense.Backward(w.Flat, w.HiddenGradient, count, Flat, Hidden, p.AsSpan(W1, Hidden * Flat), g.Slice(W1, Hidden * Flat), g.Slice(B1, Hidden), w.FlatGradient);
        Rows.ReluBackward(w.Flat.AsSpan(0, count * Flat), w.FlatGradient.AsSpan(0, count * Flat));

        var kernel = g.Slice(Wc, Channels * Taps.Length);
        var bias = g.Slice(Bc, Channels);
        kernel.Clear();
        bias.Clear();
        var full = w.FullGradient.AsSpan(); // the two columns past the edge stay zero
        for (var n = 0; n < count; n++)
        {
            var image = w.Input.AsSpan(n * Stride, Stride);
            for (var c = 0; c < Channels; c++)
            {
                var flat = w.FlatGradient.AsSpan((n * Flat) + (c * OutSide * OutSide), OutSide * OutSide);
                for (var y = 0; y < OutSide; y++)
                {
                    flat.Slice(y * OutSide, OutSide).CopyTo(full.Slice(y * Side, OutSide));
                }

                bias[c] += TensorPrimitives.Sum(flat);
                for (var t = 0; t < Taps.Length; t++)
                {
                    kernel[(c * Taps.Length) + t] += TensorPrimitives.Dot(full, image.Slice(Taps[t], Positions));
                }
            }
        }
    }

    private protected override (float Mean, float Deviation) Standardisation => (0.1307f, 0.3081f);

    /// <summary>PyTorch's default initialisation of every layer, in PyTorch's order.</summary>
    public static void Initialize(Span<float> parameters, Random random)
    {
        const int ConvFanIn = Kernel * Kernel;
        Uniform(parameters.Slice(Wc, Channels * ConvFanIn), ConvFanIn, random);
        Uniform(parameters.Slice(Bc, Channels), ConvFanIn, random);
        Uniform(parameters.Slice(W1, Hidden * Flat), Flat, random);
        Uniform(parameters.Slice(B1, Hidden), Flat, random);
        Uniform(parameters.Slice(W2, Classes * Hidden), Hidden, random);
        Uniform(parameters.Slice(B2, Classes), Hidden, random);
    }

    private sealed class Buffers(int capacity) : Workspace(capacity, Stride, ParameterCount)
    {
        public float[] Full { get; } = new float[Positions];

        public float[] FullGradient { get; } = new float[Positions];

        public float[] Flat { get; } = new float[capacity * ConvolutionalNetwork.Flat];

        public float[] FlatGradient { get; } = new float[capacity * ConvolutionalNetwork.Flat];

        public float[] Hidden { get; } = new float[capacity * ConvolutionalNetwork.Hidden];

        public float[] HiddenGradient { get; } = new float[capacity * ConvolutionalNetwork.Hidden];
    }
}
