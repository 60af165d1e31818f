using Quarry.Learn.Linear;

namespace Quarry.Learn.Tests.Linear;

public sealed class SubspaceIterationTests
{
    [Fact]
    public void Leading_subspace_behind_a_gap_matches_the_true_one()
    {
        const int n = 300, k = 16;
        var u = Dense.Orthogonal(n, 5);
        var spectrum = Enumerable.Range(0, n).Select(i => i < k ? 2.0 - (i / 16.0) : 0.3 * (1 - ((i - k) / (double)(n - k)))).ToArray();
        var a = ToFloat(Dense.WithSpectrum(u, spectrum, n));

        var pairs = SubspaceIteration.Leading(a, n, k, iterations: 12, ct: TestContext.Current.CancellationToken);

        Assert.Equal(k, pairs.Count);
        for (var i = 0; i < k; i++)
        {
            Assert.Equal(spectrum[i], pairs.Values[i], 1e-5);
        }

        AssertOrthonormal(pairs.Vectors, n, k);
        AssertSameProjector(pairs.Vectors, u, n, k, 1e-4);
    }

    [Fact]
    public void Ritz_values_without_a_gap_are_close_lower_bounds()
    {
        // Geometric decay 0.95^i: no gap at k, the oversampled block still pins the top values down.
        const int n = 200, k = 10;
        var spectrum = Enumerable.Range(0, n).Select(i => Math.Pow(0.95, i)).ToArray();
        var a = ToFloat(Dense.WithSpectrum(Dense.Orthogonal(n, 6), spectrum, n));

        var pairs = SubspaceIteration.Leading(a, n, k, iterations: 12);

        Assert.Equal(k, pairs.Count);
        for (var i = 0; i < k; i++)
        {
            // Ritz values interlace: never above the true eigenvalue (up to float32 rounding).
            Assert.InRange(pairs.Values[i], spectrum[i] * (1 - 1e-3), spectrum[i] + 1e-5);
        }

        AssertOrthonormal(pairs.Vectors, n, k);
    }

    [Fact]
    public void Item_gram_matrix_matches_a_jacobi_reference()
    {
        const int users = 400, n = 120, k = 12;
        var random = new Random(3);
        var x = new float[users * n];
        for (var i = 0; i < x.Length; i++)
        {
            // Popular items on the left, like real feedback: a dominant direction, then a slowly decaying spectrum.
            x[i] = random.NextDouble() < 0.3 * Math.Exp(-3.0 * (i % n) / n) ? 1f : 0f;
        }

        var gram = Dense.Multiply(n, n, users, x, n, true, x, n, false);
        var (values, vectors) = Dense.Eigen(gram, n);

        var pairs = SubspaceIteration.Leading(ToFloat(gram), n, k, iterations: 20);

        Assert.Equal(k, pairs.Count);
        for (var i = 0; i < k; i++)
        {
            Assert.Equal(values[i], pairs.Values[i], 1e-4 * values[0]);
        }

        // The top eight are well separated here, so their eigenvectors must agree with the reference up to sign.
        for (var c = 0; c < 8; c++)
        {
            var dot = Enumerable.Range(0, n).Sum(r => (double)pairs.Vectors[r * k + c] * vectors[r * n + c]);
            Assert.Equal(1.0, Math.Abs(dot), 1e-4);
        }
    }

    [Fact]
    public void Rank_deficient_matrix_returns_only_its_range()
    {
        const int rows = 12, n = 80;
        var x = Dense.Random(rows * n, 8);
        var gram = Dense.Multiply(n, n, rows, x, n, true, x, n, false);
        var (values, vectors) = Dense.Eigen(gram, n);

        var pairs = SubspaceIteration.Leading(ToFloat(gram), n, 20, iterations: 10);

        Assert.Equal(rows, pairs.Count);
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(values[i], pairs.Values[i], 1e-4 * values[0]);
        }

        AssertOrthonormal(pairs.Vectors, n, rows);
        AssertSameProjector(pairs.Vectors, vectors, n, rows, 1e-4);
    }

    [Fact]
    public void Asking_for_more_than_the_size_gives_the_whole_decomposition()
    {
        const int n = 10;
        var a = Dense.SymmetricPositiveDefinite(n, 4);
        var (values, _) = Dense.Eigen(Array.ConvertAll(a, v => (double)v), n);

        var pairs = SubspaceIteration.Leading(a, n, 15, iterations: 1);

        Assert.Equal(n, pairs.Count);
        Assert.Equal(values, pairs.Values, (e, v) => Math.Abs(e - v) < 1e-5);
        AssertSameProjector(pairs.Vectors, Dense.Orthogonal(n, 1), n, n, 1e-5);
    }

    private static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);

    private static void AssertOrthonormal(float[] v, int n, int k)
    {
        var gram = Dense.Multiply(k, k, n, v, k, true, v, k, false);
        for (var i = 0; i < k * k; i++)
        {
            Assert.Equal(i % (k + 1) == 0 ? 1.0 : 0.0, gram[i], 1e-5);
        }
    }

    /// <summary>V·Vᵀ equals U_k·U_kᵀ, with U_k the first k columns of the n×n float64 <paramref name="u"/>.</summary>
    private static void AssertSameProjector(float[] v, double[] u, int n, int k, double tolerance)
    {
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double expected = 0, actual = 0;
                for (var p = 0; p < k; p++)
                {
                    expected += u[i * n + p] * u[j * n + p];
                    actual += (double)v[i * k + p] * v[j * k + p];
                }

                Assert.Equal(expected, actual, tolerance);
            }
        }
    }
}
