using Quarry.Learn.Linear;

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
        var p = Parameters;
        Rows.Broadcast(p.AsSpan(B1, Hidden), w.Hidden, count);
        Sgemm.Multiply(count, Hidden, Pixels, w.Input, Pixels, false, p.AsSpan(W1, Hidden * Pixels), Pixels, true, w.Hidden, Hidden, accumulate: true, threads: 1);
        Rows.Relu(w.Hidden.AsSpan(0, count * Hidden));
        Rows.Broadcast(p.AsSpan(B2, Classes), w.Logits, count);
        Sgemm.Multiply(count, Classes, Hidden, w.Hidden, Hidden, false, p.AsSpan(W2, Classes * Hidden), Hidden, true, w.Logits, Classes, accumulate: true, threads: 1);
    }

    internal override void Backward(Workspace workspace, int count)
    {
        var w = (Buffers)workspace;
        var p = Parameters;
        var g = w.Gradients.AsSpan();
        Sgemm.Multiply(Classes, Hidden, count, w.LogitGradient, Classes, true, w.Hidden, Hidden, false, g.Slice(W2, Classes * Hidden), Hidden, threads: 1);
        g.Slice(B2, Classes).Clear();
        Rows.AddColumnSums(w.LogitGradient, count, g.Slice(B2, Classes));
        Sgemm.Multiply(count, Hidden, Classes, w.LogitGradient, Classes, false, p.AsSpan(W2, Classes * Hidden), Hidden, false, w.HiddenGradient, Hidden, threads: 1);
        Rows.ReluBackward(w.Hidden.AsSpan(0, count * Hidden), w.HiddenGradient.AsSpan(0, count * Hidden));
        Sgemm.Multiply(Hidden, Pixels, count, w.HiddenGradient, Hidden, true, w.Input, Pixels, false, g.Slice(W1, Hidden * Pixels), Pixels, threads: 1);
        g.Slice(B1, Hidden).Clear();
        Rows.AddColumnSums(w.HiddenGradient, count, g.Slice(B1, Hidden));
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
