namespace Quarry.Learn.Neural;

/// <summary>Softmax and cross-entropy fused: the loss of a batch and its gradient with respect to the logits in one pass.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// For each of <paramref name="rows"/> rows of <paramref name="logits"/>, adds −log softmax(logits)[label] to the returned
    /// sum and writes (softmax − one-hot(label)) · <paramref name="scale"/> into <paramref name="gradient"/>.
    /// </summary>
    public static double Compute(ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int rows, int classes, float scale, Span<float> gradient)
    {
        var loss = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * classes, classes);
            var g = gradient.Slice(r * classes, classes);
            var label = labels[r];
            var max = z[0];
            for (var j = 1; j < classes; j++)
            {
                max = MathF.Max(max, z[j]);
            }

            var sum = 0f;
            for (var j = 0; j < classes; j++)
            {
                var e = MathF.Exp(z[j] - max);
                g[j] = e;
                sum += e;
            }

            loss += MathF.Log(sum) + max - z[label];
            var inverse = scale / sum;
            for (var j = 0; j < classes; j++)
            {
                g[j] *= inverse;
            }

            g[label] -= scale;
        }

        return loss;
    }

    /// <summary>Softmax of one row of logits into <paramref name="probabilities"/>.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        var max = float.NegativeInfinity;
        foreach (var z in logits)
        {
            max = MathF.Max(max, z);
        }

        var sum = 0f;
        for (var j = 0; j < logits.Length; j++)
        {
            probabilities[j] = MathF.Exp(logits[j] - max);
            sum += probabilities[j];
        }

        for (var j = 0; j < logits.Length; j++)
        {
            probabilities[j] /= sum;
        }
    }
}
