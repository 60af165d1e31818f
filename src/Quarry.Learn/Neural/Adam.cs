using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Quarry.Learn.Neural;

/// <summary>Adam with bias correction, computed as PyTorch's single-tensor Adam does, in one fused pass.</summary>
public sealed class Adam
{
    private readonly float[] _m;
    private readonly float[] _v;
    private int _steps;

    /// <summary>Moments for <paramref name="parameterCount"/> parameters, all zero.</summary>
    public Adam(int parameterCount, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (!(learningRate > 0) || !(beta1 is >= 0 and < 1) || !(beta2 is >= 0 and < 1) || !(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), "Adam needs a positive learning rate and epsilon, and betas in [0, 1).");
        }

        _m = new float[parameterCount];
        _v = new float[parameterCount];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Step size before bias correction.</summary>
    public float LearningRate { get; }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the corrected root of the second moment.</summary>
    public float Epsilon { get; }

    /// <summary>Steps taken so far.</summary>
    public int Steps => _steps;

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != _m.Length || gradients.Length != _m.Length)
        {
            throw new ArgumentException($"Adam holds {_m.Length} moments; got {parameters.Length} parameters and {gradients.Length} gradients");
        }

        _steps++;
        var stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, _steps)));
        var inverseRoot = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, _steps)));
        var b1 = Beta1;
        var b2 = Beta2;
        var c1 = 1 - Beta1;
        var c2 = 1 - Beta2;
        var eps = Epsilon;

        var i = 0;
        var m = _m.AsSpan();
        var v = _v.AsSpan();
        if (Vector256.IsHardwareAccelerated)
        {
            var vp = MemoryMarshal.Cast<float, Vector256<float>>(parameters);
            var vg = MemoryMarshal.Cast<float, Vector256<float>>(gradients);
            var vm = MemoryMarshal.Cast<float, Vector256<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector256<float>>(v);
            var vb1 = Vector256.Create(b1);
            var vb2 = Vector256.Create(b2);
            var vc1 = Vector256.Create(c1);
            var vc2 = Vector256.Create(c2);
            var veps = Vector256.Create(eps);
            var vroot = Vector256.Create(inverseRoot);
            var vstep = Vector256.Create(stepSize);
            for (var j = 0; j < vp.Length; j++)
            {
                var g = vg[j];
                var mj = (vb1 * vm[j]) + (vc1 * g);
                var vj = (vb2 * vv[j]) + (vc2 * g * g);
                vm[j] = mj;
                vv[j] = vj;
                vp[j] -= vstep * mj / ((Vector256.Sqrt(vj) * vroot) + veps);
            }

            i = vp.Length * Vector256<float>.Count;
        }

        for (; i < parameters.Length; i++)
        {
            var g = gradients[i];
            m[i] = (b1 * m[i]) + (c1 * g);
            v[i] = (b2 * v[i]) + (c2 * g * g);
            parameters[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) * inverseRoot) + eps);
        }
    }
}
