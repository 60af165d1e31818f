namespace Quarry.Learn.Tests.Linear;

/// <summary>Naive float64 references and random matrices for checking the kernels.</summary>
internal static class Dense
{
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    public static double[] Multiply(int m, int n, int k, float[] a, int lda, bool transposeA, float[] b, int ldb, bool transposeB)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                {
                    double x = transposeA ? a[p * lda + i] : a[i * lda + p];
                    double y = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += x * y;
                }

                c[i * n + j] = sum;
            }
        }

        return c;
    }

    /// <summary>A well-conditioned random SPD matrix: MᵀM / rows + shift·I.</summary>
    public static float[] SymmetricPositiveDefinite(int n, int seed, double shift = 0.5)
    {
        var rows = n + 3;
        var m = Random(rows * n, seed);
        var gram = Multiply(n, n, rows, m, n, true, m, n, false);
        var result = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                result[i * n + j] = (float)((gram[i * n + j] / rows) + (i == j ? shift : 0));
            }
        }

        return result;
    }

    /// <summary>Gauss-Jordan inverse with partial pivoting in float64.</summary>
    public static double[] Inverse(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        var inv = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            inv[i * n + i] = 1;
        }

        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r * n + col]) > Math.Abs(a[pivot * n + col]))
                {
                    pivot = r;
                }
            }

            for (var j = 0; j < n; j++)
            {
                (a[col * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[col * n + j]);
                (inv[col * n + j], inv[pivot * n + j]) = (inv[pivot * n + j], inv[col * n + j]);
            }

            var d = a[col * n + col];
            for (var j = 0; j < n; j++)
            {
                a[col * n + j] /= d;
                inv[col * n + j] /= d;
            }

            for (var r = 0; r < n; r++)
            {
                var f = a[r * n + col];
                if (r == col || f == 0)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    a[r * n + j] -= f * a[col * n + j];
                    inv[r * n + j] -= f * inv[col * n + j];
                }
            }
        }

        return inv;
    }

    /// <summary>
    /// Cyclic Jacobi eigendecomposition of a symmetric matrix in float64: values descending, unit eigenvectors as the columns
    /// of the n×n row-major result. Slow (about 10 sweeps of 6n³ flops) and independent of the library's solver.
    /// </summary>
    public static (double[] Values, double[] Vectors) Eigen(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            v[i * n + i] = 1;
        }

        var total = a.Sum(x => x * x);
        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    off += a[p * n + q] * a[p * n + q];
                }
            }

            if (off <= 1e-30 * total)
            {
                break;
            }

            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    var apq = a[p * n + q];
                    if (apq == 0)
                    {
                        continue;
                    }

                    // The rotation J (c on the diagonal, s at [p,q], −s at [q,p]) with tan = t zeroes a[p,q] in Jᵀ·A·J.
                    var theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var (kp, kq) = (a[k * n + p], a[k * n + q]);
                        a[k * n + p] = (c * kp) - (s * kq);
                        a[k * n + q] = (s * kp) + (c * kq);
                        (kp, kq) = (v[k * n + p], v[k * n + q]);
                        v[k * n + p] = (c * kp) - (s * kq);
                        v[k * n + q] = (s * kp) + (c * kq);
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var (pk, qk) = (a[p * n + k], a[q * n + k]);
                        a[p * n + k] = (c * pk) - (s * qk);
                        a[q * n + k] = (s * pk) + (c * qk);
                    }
                }
            }
        }

        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i * n + i]).ToArray();
        var values = order.Select(i => a[i * n + i]).ToArray();
        var vectors = new double[n * n];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                vectors[r * n + c] = v[r * n + order[c]];
            }
        }

        return (values, vectors);
    }

    /// <summary>A random n×n orthogonal matrix (Gram–Schmidt on random columns, twice, in float64).</summary>
    public static double[] Orthogonal(int n, int seed)
    {
        var q = Array.ConvertAll(Random(n * n, seed), x => (double)x);
        for (var c = 0; c < n; c++)
        {
            for (var pass = 0; pass < 2; pass++)
            {
                for (var p = 0; p < c; p++)
                {
                    var dot = 0.0;
                    for (var r = 0; r < n; r++)
                    {
                        dot += q[r * n + p] * q[r * n + c];
                    }

                    for (var r = 0; r < n; r++)
                    {
                        q[r * n + c] -= dot * q[r * n + p];
                    }
                }
            }

            var norm = Math.Sqrt(Enumerable.Range(0, n).Sum(r => q[r * n + c] * q[r * n + c]));
            for (var r = 0; r < n; r++)
            {
                q[r * n + c] /= norm;
            }
        }

        return q;
    }

    /// <summary>U·diag(values)·Uᵀ for an n×n orthogonal U, in float64.</summary>
    public static double[] WithSpectrum(double[] u, double[] values, int n)
    {
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < n; p++)
                {
                    sum += u[i * n + p] * values[p] * u[j * n + p];
                }

                a[i * n + j] = sum;
            }
        }

        return a;
    }
}
