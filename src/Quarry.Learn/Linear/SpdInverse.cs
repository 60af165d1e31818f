using System.Numerics.Tensors;

namespace Quarry.Learn.Linear;

/// <summary>In-place inverse of a symmetric positive-definite matrix by a blocked symmetric sweep on <see cref="Sgemm"/>.</summary>
public static class SpdInverse
{
    private const int Block = 256;

    /// <summary>
    /// Replaces the n×n row-major symmetric positive-definite matrix in <paramref name="matrix"/> (only its lower
    /// triangle is read) by its full inverse. Costs about n³ flops; throws when a pivot is not positive.
    /// </summary>
    public static void Invert(Span<float> matrix, int n, IProgress<double>? progress = null, CancellationToken ct = default, int threads = 2)
        => Invert(matrix, n, progress, ct, threads, KernelWidth.Auto);

    internal static void Invert(Span<float> matrix, int n, IProgress<double>? progress, CancellationToken ct, int threads, KernelWidth width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length < (long)n * n)
        {
            throw new ArgumentException($"matrix needs {n}×{n} elements", nameof(matrix));
        }

        var block = Math.Min(Block, Math.Max(n, 1));
        var panel = new float[n * block];
        var scaled = new float[n * block];
        var pivot = new float[block * block];
        var work = new double[block * block];
        for (var k0 = 0; k0 < n; k0 += block)
        {
            ct.ThrowIfCancellationRequested();
            var kb = Math.Min(block, n - k0);
            GatherPanel(matrix, n, k0, kb, panel);
            InvertPivot(panel.AsSpan(k0 * kb, kb * kb), kb, work, pivot, k0);

            // Sweep on block k: S = C·D⁻¹, A_ij -= S_i·C_jᵀ on the lower triangle, then the panel becomes S and the pivot −D⁻¹.
            Sgemm.Multiply(n, kb, kb, panel, kb, false, pivot, kb, false, scaled, kb, 1f, false, threads, false, width);
            Sgemm.Multiply(n, n, kb, scaled, kb, false, panel, kb, true, matrix, n, -1f, true, threads, true, width);
            ScatterPanel(matrix, n, k0, kb, scaled, pivot);
            progress?.Report((double)(k0 + kb) / n);
        }

        // Sweeping every pivot leaves −A⁻¹ in the lower triangle.
        NegateAndMirror(matrix, n);
    }

    private static void GatherPanel(Span<float> a, int n, int k0, int kb, float[] panel)
    {
        for (var c = 0; c < kb; c++)
        {
            var column = a.Slice((k0 + c) * n, k0);
            for (var i = 0; i < k0; i++)
            {
                panel[i * kb + c] = column[i];
            }
        }

        for (var i = k0; i < k0 + kb; i++)
        {
            for (var c = 0; c < kb; c++)
            {
                var j = k0 + c;
                panel[i * kb + c] = i >= j ? a[i * n + j] : a[j * n + i];
            }
        }

        for (var i = k0 + kb; i < n; i++)
        {
            a.Slice(i * n + k0, kb).CopyTo(panel.AsSpan(i * kb, kb));
        }
    }

    private static void ScatterPanel(Span<float> a, int n, int k0, int kb, float[] scaled, float[] pivot)
    {
        for (var c = 0; c < kb; c++)
        {
            var column = a.Slice((k0 + c) * n, k0);
            for (var i = 0; i < k0; i++)
            {
                column[i] = scaled[i * kb + c];
            }
        }

        for (var r = 0; r < kb; r++)
        {
            TensorPrimitives.Negate(pivot.AsSpan(r * kb, kb), a.Slice((k0 + r) * n + k0, kb));
        }

        for (var i = k0 + kb; i < n; i++)
        {
            scaled.AsSpan(i * kb, kb).CopyTo(a.Slice(i * n + k0, kb));
        }
    }

    /// <summary>Inverts the symmetric pivot block in float64 by Cholesky, D⁻¹ = L⁻ᵀL⁻¹.</summary>
    private static void InvertPivot(ReadOnlySpan<float> d, int kb, double[] l, float[] inverse, int offset)
    {
        for (var i = 0; i < kb; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sum = d[i * kb + j];
                for (var p = 0; p < j; p++)
                {
                    sum -= l[i * kb + p] * l[j * kb + p];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        throw new ArgumentException($"matrix is not positive definite (pivot {offset + i})", "matrix");
                    }

                    l[i * kb + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * kb + j] = sum / l[j * kb + j];
                }
            }
        }

        // Overwrite L's lower triangle by L⁻¹ column by column (forward substitution on unit vectors).
        for (var j = 0; j < kb; j++)
        {
            l[j * kb + j] = 1.0 / l[j * kb + j];
            for (var i = j + 1; i < kb; i++)
            {
                var sum = 0.0;
                for (var p = j; p < i; p++)
                {
                    sum -= l[i * kb + p] * l[p * kb + j];
                }

                l[i * kb + j] = sum / l[i * kb + i];
            }
        }

        for (var i = 0; i < kb; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = 0.0;
                for (var p = i; p < kb; p++)
                {
                    sum += l[p * kb + i] * l[p * kb + j];
                }

                inverse[i * kb + j] = (float)sum;
                inverse[j * kb + i] = (float)sum;
            }
        }
    }

    private static void NegateAndMirror(Span<float> a, int n)
    {
        const int tile = 64;
        for (var i0 = 0; i0 < n; i0 += tile)
        {
            for (var j0 = 0; j0 <= i0; j0 += tile)
            {
                var iEnd = Math.Min(i0 + tile, n);
                for (var i = i0; i < iEnd; i++)
                {
                    var jEnd = Math.Min(j0 + tile, i + 1);
                    for (var j = j0; j < jEnd; j++)
                    {
                        var value = -a[i * n + j];
                        a[i * n + j] = value;
                        a[j * n + i] = value;
                    }
                }
            }
        }
    }
}
