namespace Quarry.Learn.Linear;

/// <summary>Orthonormalises the columns of a tall row-major block by Cholesky QR on <see cref="Sgemm"/>.</summary>
public static class CholeskyQr
{
    /// <summary>A column whose squared norm, after removing the earlier columns, is below this fraction of its own is dropped.</summary>
    private const double DependenceTolerance = 1e-5;

    /// <summary>
    /// Replaces the rows×cols row-major <paramref name="block"/> Y by Q = Y·R⁻¹ with RᵀR = YᵀY (the Cholesky factor is
    /// computed in float64), <paramref name="passes"/> times: two passes give columns orthonormal to float32 rounding for
    /// cond(Y) up to about 10³. A column that is numerically a combination of the earlier ones becomes exactly zero.
    /// Returns how many columns are kept. Costs 2·rows·cols² flops per pass, nearly all in the packed kernel.
    /// </summary>
    public static int Orthonormalize(Span<float> block, int rows, int cols, int passes = 2, int threads = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(passes);
        if (block.Length < (long)rows * cols)
        {
            throw new ArgumentException($"block needs {rows}×{cols} elements", nameof(block));
        }

        var gram = new float[cols * cols];
        var inverse = new float[cols * cols];
        var factor = new double[cols * cols];
        var result = new float[rows * cols];
        var kept = cols;
        for (var pass = 0; pass < passes; pass++)
        {
            Sgemm.Multiply(cols, cols, rows, block, cols, true, block, cols, false, gram, cols, threads: threads);
            kept = InverseFactor(gram, cols, factor, inverse);
            // Q = Y·L⁻ᵀ where L·Lᵀ = YᵀY; dropped columns have zero rows and columns in L⁻¹.
            Sgemm.Multiply(rows, cols, cols, block, cols, false, inverse, cols, true, result, cols, threads: threads);
            result.AsSpan(0, rows * cols).CopyTo(block);
        }

        return kept;
    }

    /// <summary>
    /// Cholesky L·Lᵀ = C of the kept columns in float64, then L⁻¹ into <paramref name="inverse"/>. A column whose pivot is
    /// not above <see cref="DependenceTolerance"/> times its diagonal is skipped: its row and column of L and L⁻¹ are zero.
    /// </summary>
    private static int InverseFactor(float[] gram, int n, double[] l, float[] inverse)
    {
        Array.Clear(l);
        var kept = new bool[n];
        var count = 0;
        for (var j = 0; j < n; j++)
        {
            double pivot = gram[j * n + j];
            for (var p = 0; p < j; p++)
            {
                pivot -= l[j * n + p] * l[j * n + p];
            }

            if (!(pivot > DependenceTolerance * gram[j * n + j]))
            {
                continue;
            }

            kept[j] = true;
            count++;
            var diagonal = Math.Sqrt(pivot);
            l[j * n + j] = diagonal;
            for (var i = j + 1; i < n; i++)
            {
                double sum = gram[i * n + j];
                for (var p = 0; p < j; p++)
                {
                    sum -= l[i * n + p] * l[j * n + p];
                }

                l[i * n + j] = sum / diagonal;
            }
        }

        // Forward substitution L·X = I over the kept columns; the result overwrites L's lower triangle column by column.
        Array.Clear(inverse);
        var x = new double[n];
        for (var j = 0; j < n; j++)
        {
            if (!kept[j])
            {
                continue;
            }

            Array.Clear(x);
            x[j] = 1.0 / l[j * n + j];
            for (var i = j + 1; i < n; i++)
            {
                if (!kept[i])
                {
                    continue;
                }

                var sum = 0.0;
                for (var p = j; p < i; p++)
                {
                    sum -= l[i * n + p] * x[p];
                }

                x[i] = sum / l[i * n + i];
            }

            for (var i = j; i < n; i++)
            {
                inverse[i * n + j] = (float)x[i];
            }
        }

        return count;
    }
}
