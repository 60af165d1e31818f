using Quarry.Learn.Linear;

namespace Quarry.Learn.Tests.Linear;

public sealed class SymmetricEigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(90)]
    public void Random_symmetric_matrices_match_a_jacobi_reference(int n)
    {
        var m = Dense.Random(n * n, n);
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[i * n + j] = m[i * n + j] + m[j * n + i];
            }
        }

        var (values, vectors) = Decompose(a, n);
        var (expected, _) = Dense.Eigen(a, n);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], values[i], 1e-10 * n);
        }

        AssertDecomposition(a, n, values, vectors);
    }

    [Fact]
    public void Repeated_and_zero_eigenvalues_keep_an_orthonormal_basis()
    {
        const int n = 12;
        double[] spectrum = [5, 3, 3, 3, 1, 1, 0.5, 0, 0, 0, -1, -1];
        var a = Dense.WithSpectrum(Dense.Orthogonal(n, 9), spectrum, n);
        var (values, vectors) = Decompose(a, n);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(spectrum[i], values[i], 1e-12);
        }

        AssertDecomposition(a, n, values, vectors);
    }

    [Fact]
    public void Only_the_lower_triangle_is_read()
    {
        double[] a = [2, double.NaN, double.NaN, 1, 2, double.NaN, 0, 1, 2];
        var values = new double[3];
        SymmetricEigen.Decompose(a, 3, values, new double[9]);
        Assert.Equal([2 + Math.Sqrt(2), 2, 2 - Math.Sqrt(2)], values, (x, y) => Math.Abs(x - y) < 1e-12);
    }

    private static (double[] Values, double[] Vectors) Decompose(double[] a, int n)
    {
        var values = new double[n];
        var vectors = new double[n * n];
        SymmetricEigen.Decompose(a, n, values, vectors);
        return (values, vectors);
    }

    /// <summary>A·V = V·diag(values), VᵀV = I and descending values: together a full certificate of the decomposition.</summary>
    private static void AssertDecomposition(double[] a, int n, double[] values, double[] vectors)
    {
        var norm = Math.Max(1, a.Max(Math.Abs));
        for (var i = 0; i + 1 < n; i++)
        {
            Assert.True(values[i] >= values[i + 1]);
        }

        for (var c = 0; c < n; c++)
        {
            for (var r = 0; r < n; r++)
            {
                var av = 0.0;
                for (var p = 0; p < n; p++)
                {
                    av += a[r * n + p] * vectors[p * n + c];
                }

                Assert.Equal(values[c] * vectors[r * n + c], av, 1e-11 * norm * n);
            }

            for (var d = 0; d < n; d++)
            {
                var dot = Enumerable.Range(0, n).Sum(r => vectors[r * n + c] * vectors[r * n + d]);
                Assert.Equal(c == d ? 1.0 : 0.0, dot, 1e-12 * n);
            }
        }
    }
}
