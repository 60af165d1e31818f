using Quarry.Learn.Data;
using Quarry.Learn.Neural;

namespace Quarry.Learn.Tests.Neural;

/// <summary>Plain double-precision loops computing the same networks as PyTorch defines them, to check the fast code against.</summary>
internal static class ReferenceNetwork
{
    public static double[][] Logits(NetworkKind kind, double[] p, ImageSet images)
    {
        var result = new double[images.Count][];
        for (var n = 0; n < images.Count; n++)
        {
            var pixels = images.Pixels.AsSpan(n * 784, 784).ToArray().Select(v => v / 255.0).ToArray();
            result[n] = kind == NetworkKind.FeedForward ? FeedForward(p, pixels) : Convolutional(p, pixels);
        }

        return result;
    }

    public static double Loss(NetworkKind kind, double[] p, ImageSet images)
    {
        var logits = Logits(kind, p, images);
        var loss = 0.0;
        for (var n = 0; n < logits.Length; n++)
        {
            var max = logits[n].Max();
            loss += Math.Log(logits[n].Sum(z => Math.Exp(z - max))) + max - logits[n][images.Labels[n]];
        }

        return loss / logits.Length;
    }

    private static double[] FeedForward(double[] p, double[] x)
    {
        const int h = 500;
        var hidden = Linear(p, 0, h * 784, x, 784, h, relu: true);
        return Linear(p, (h * 784) + h, (h * 784) + h + (10 * h), hidden, h, 10, relu: false);
    }

    private static double[] Convolutional(double[] p, double[] x)
    {
        var z = x.Select(v => (v - 0.1307) / 0.3081).ToArray();
        var flat = new double[3 * 26 * 26];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 26; y++)
            {
                for (var col = 0; col < 26; col++)
                {
                    var sum = p[27 + c];
                    for (var ky = 0; ky < 3; ky++)
                    {
                        for (var kx = 0; kx < 3; kx++)
                        {
                            sum += p[(c * 9) + (ky * 3) + kx] * z[((y + ky) * 28) + col + kx];
                        }
                    }

                    flat[(c * 676) + (y * 26) + col] = Math.Max(0, sum);
                }
            }
        }

        const int h = 128;
        const int w1 = 30;
        var hidden = Linear(p, w1, w1 + (h * 2028), flat, 2028, h, relu: true);
        var w2 = w1 + (h * 2028) + h;
        return Linear(p, w2, w2 + (10 * h), hidden, h, 10, relu: false);
    }

    private static double[] Linear(double[] p, int weights, int bias, double[] input, int inputs, int outputs, bool relu)
    {
        var output = new double[outputs];
        for (var o = 0; o < outputs; o++)
        {
            var sum = p[bias + o];
            for (var i = 0; i < inputs; i++)
            {
                sum += p[weights + (o * inputs) + i] * input[i];
            }

            output[o] = relu ? Math.Max(0, sum) : sum;
        }

        return output;
    }
}
