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
}
