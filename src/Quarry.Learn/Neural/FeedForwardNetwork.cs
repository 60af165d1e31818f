namespace Quarry.Learn.Neural;

/// <summary>Linear(784, 500) → ReLU → Linear(500, 10); weights stored out × in, as PyTorch stores them.</summary>
internal sealed class FeedForwardNetwork : ImageNetwork
{
    public const int Hidden = 500;
    private const int W1 = 0;
    private const int B1 = W1 + (Hidden * Pixels);
    private const int W2 = B1 + Hidden;
    private const int B2 = W2 + (Classes * Hidden);
    public const int ParameterCount = B2 + Classes;

    public FeedForwardNetwork(float[] parameters)
        : base(parameters)
    {
    }

    public override NetworkKind Kind => NetworkKind.FeedForward;

    internal override int InputStride => Pixels;

    internal override Workspace CreateWorkspace(int capacity) => new Buffers(capacity);

    internal override void Forward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Parameters.AsSpan();
        Dense.Forward(w.Input, count, Pixels, Hidden, p.Slice(W1, Hidden * Pixels), p.Slice(B1, Hidden), w.Hidden, relu: true);
        Dense.Forward(w.Hidden, count, Hidden, Classes, p.Slice(W2, Classes * Hidden), p.Slice(B2, Classes), w.Logits, relu: false);
    }

    internal override void Backward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Parameters.AsSpan();
        var g = w.Gradients.AsSpan();
        Dense.Backward(w.Hidden, w.LogitGradient, count, Hidden, Classes, p.Slice(W2, Classes * Hidden), g.Slice(W2, Classes * Hidden), g.Slice(B2, Classes), w.HiddenGradient);
        Rows.ReluBackward(w.Hidden.AsSpan(0, count * Hidden), w.HiddenGradient.AsSpan(0, count * Hidden));
        Dense.Backward(w.Input, w.HiddenGradient, count, Pixels, Hidden, p.Slice(W1, Hidden * Pixels), g.Slice(W1, Hidden * Pixels), g.Slice(B1, Hidden), []);
    }

    private protected override float Normalize(float pixel) => pixel / 255f;

    private protected override void Initialize(Random random)
    {
        Uniform(Parameters.AsSpan(W1, Hidden * Pixels), Pixels, random);
        Uniform(Parameters.AsSpan(B1, Hidden), Pixels, random);
        Uniform(Parameters.AsSpan(W2, Classes * Hidden), Hidden, random);
        Uniform(Parameters.AsSpan(B2, Classes), Hidden, random);
    }

    private sealed class Buffers(int capacity) : Workspace(capacity, Pixels, ParameterCount)
    {
        public float[] Hidden { get; } = new float[capacity * FeedForwardNetwork.Hidden];

        public float[] HiddenGradient { get; } = new float[capacity * FeedForwardNetwork.Hidden];
    }
}
