using System.Numerics.Tensors;

namespace Quarry.Learn.Tabular;

/// <summary>L2-regularised logistic regression fitted by damped Newton steps on the mean log-loss.</summary>
public sealed class LogisticRegression : IBinaryClassifier
{
    private LogisticRegression(float[] weights, float bias)
    {
        Weights = weights;
        Bias = bias;
    }

    /// <summary>One weight per feature.</summary>
    public float[] Weights { get; }

    /// <summary>Intercept (not regularised).</summary>
    public float Bias { get; }

    /// <summary>
    /// Minimises mean log-loss + l2/2·‖w‖². The objective is strictly convex, so the optimum is unique and the result
    /// does not depend on <paramref name="seed"/>; <paramref name="epochs"/> caps the Newton iterations (a handful suffice).
    /// l2 = 1e-3 is close to scikit-learn's default C = 1 for about 700 rows (C = 1 / (l2·n)).
    /// </summary>
    public static LogisticRegression Train(float[][] x, int[] y, float l2 = 1e-3f, int epochs = 100, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length == 0 || x.Length != y.Length)
        {
            throw new ArgumentException($"need the same positive number of rows and labels ({x.Length} and {y.Length})", nameof(y));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(l2);
        _ = seed;
        var d = x[0].Length;
        var theta = new double[d + 1];
        var candidate = new double[d + 1];
        var step = new double[d + 1];
        var loss = Loss(x, y, theta, l2);
        for (var iteration = 0; iteration < epochs; iteration++)
        {
            var (gradient, hessian) = Derivatives(x, y, theta, l2);
            if (gradient.Max(Math.Abs) < 1e-9)
            {
                break;
            }

            Solve(hessian, gradient, step, d + 1);
            var slope = Dot(gradient, step);
            var t = 1.0;
            double next;
            // Backtracking keeps every step a descent even where the quadratic model is poor.
            while (true)
            {
                for (var k = 0; k <= d; k++)
                {
                    candidate[k] = theta[k] - (t * step[k]);
                }

                next = Loss(x, y, candidate, l2);
                if (next <= loss - (1e-4 * t * slope) || t < 1e-10)
                {
                    break;
                }

                t *= 0.5;
            }

            candidate.CopyTo(theta, 0);
            var converged = loss - next < 1e-14;
            loss = next;
            if (converged)
            {
                break;
            }
        }

        return new LogisticRegression([.. theta[..d].Select(v => (float)v)], (float)theta[d]);
    }

    /// <summary>Rebuilds a trained model from its weights and bias.</summary>
    public static LogisticRegression FromParameters(float[] weights, float bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!float.IsFinite(bias) || weights.Any(w => !float.IsFinite(w)))
        {
            throw new ArgumentException("parameters must be finite", nameof(weights));
        }

        return new LogisticRegression([.. weights], bias);
    }

    /// <inheritdoc />
    public float PredictProbability(ReadOnlySpan<float> standardizedRow)
    {
        if (standardizedRow.Length != Weights.Length)
        {
            throw new ArgumentException($"row has {standardizedRow.Length} values, the model {Weights.Length}", nameof(standardizedRow));
        }

        return (float)Sigmoid(Bias + TensorPrimitives.Dot(standardizedRow, Weights));
    }

    /// <summary>Mean log-loss plus l2/2·‖w‖² at theta = [w…, b].</summary>
    internal static double Loss(float[][] x, int[] y, double[] theta, double l2)
    {
        var d = theta.Length - 1;
        double total = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var z = Linear(x[i], theta);
            // log(1 + e^z) − y·z, written to avoid overflow for large |z|.
            total += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - (y[i] * z);
        }

        double penalty = 0;
        for (var k = 0; k < d; k++)
        {
            penalty += theta[k] * theta[k];
        }

        return (total / x.Length) + (0.5 * l2 * penalty);
    }

    /// <summary>Gradient and Hessian (row-major, (d+1)²) of <see cref="Loss"/> at theta = [w…, b].</summary>
    internal static (double[] Gradient, double[] Hessian) Derivatives(float[][] x, int[] y, double[] theta, double l2)
    {
        var n = theta.Length;
        var gradient = new double[n];
        var hessian = new double[n * n];
        var row = new double[n];
        row[n - 1] = 1;
        for (var i = 0; i < x.Length; i++)
        {
            for (var k = 0; k < n - 1; k++)
            {
                row[k] = x[i][k];
            }

            var p = Sigmoid(Linear(x[i], theta));
            var residual = p - y[i];
            var curvature = p * (1 - p);
            for (var a = 0; a < n; a++)
            {
                gradient[a] += residual * row[a];
                for (var b = 0; b <= a; b++)
                {
                    hessian[(a * n) + b] += curvature * row[a] * row[b];
                }
            }
        }

        for (var a = 0; a < n; a++)
        {
            gradient[a] /= x.Length;
            for (var b = 0; b <= a; b++)
            {
                hessian[(a * n) + b] /= x.Length;
                hessian[(b * n) + a] = hessian[(a * n) + b];
            }

            var penalty = a < n - 1 ? l2 : 0;
            gradient[a] += a < n - 1 ? l2 * theta[a] : 0;
            // A tiny ridge keeps the Cholesky factorisation defined when probabilities saturate.
            hessian[(a * n) + a] += penalty + 1e-10;
        }

        return (gradient, hessian);
    }

    internal static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double Linear(float[] row, double[] theta)
    {
        var z = theta[^1];
        for (var k = 0; k < row.Length; k++)
        {
            z += theta[k] * row[k];
        }

        return z;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>Writes the solution of H·s = g into s, by Cholesky factorisation (H is symmetric positive definite).</summary>
    private static void Solve(double[] h, double[] g, double[] s, int n)
    {
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = h[(i * n) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[(i * n) + k] * l[(j * n) + k];
                }

                l[(i * n) + j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / l[(j * n) + j];
            }
        }

        for (var i = 0; i < n; i++)
        {
            var sum = g[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[(i * n) + k] * s[k];
            }

            s[i] = sum / l[(i * n) + i];
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var sum = s[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= l[(k * n) + i] * s[k];
            }

            s[i] = sum / l[(i * n) + i];
        }
    }
}
