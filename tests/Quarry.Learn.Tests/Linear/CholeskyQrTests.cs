using Quarry.Learn.Linear;

namespace Quarry.Learn.Tests.Linear;

public sealed class CholeskyQrTests
{
    [Theory]
    [InlineData(400, 37, 0.0)]
    [InlineData(1000, 64, 3.0)]
    [InlineData(5, 5, 1.0)]
    public void Columns_become_orthonormal_and_triangular_in_the_input(int rows, int cols, double decades)
    {
        // Y = Z·W·diag(10^(−decades·c/cols))·Wᵀ with W orthogonal mixes the columns, so cond(Y) is about 10^decades
        // (column scaling alone would not do: Cholesky QR is blind to it).
        var w = Dense.Orthogonal(cols, cols);
        var spectrum = Enumerable.Range(0, cols).Select(c => Math.Pow(10, -decades * c / cols)).ToArray();
        var mix = Array.ConvertAll(Dense.WithSpectrum(w, spectrum, cols), x => (float)x);
        var y = Array.ConvertAll(Dense.Multiply(rows, cols, cols, Dense.Random(rows * cols, rows + cols), cols, false, mix, cols, false), x => (float)x);

        var q = (float[])y.Clone();
        Assert.Equal(cols, CholeskyQr.Orthonormalize(q, rows, cols));

        AssertOrthonormal(q, rows, cols, Enumerable.Range(0, cols));
        // R = Qᵀ·Y must be upper triangular and Q·R must give Y back: Q is the QR factor, not just some basis.
        var r2 = Dense.Multiply(cols, cols, rows, q, cols, true, y, cols, false);
        var back = Dense.Multiply(rows, cols, cols, q, cols, false, Array.ConvertAll(r2, x => (float)x), cols, false);
        for (var i = 0; i < cols; i++)
        {
            for (var j = 0; j < i; j++)
            {
                Assert.Equal(0, r2[i * cols + j], 1e-5 * Math.Sqrt(r2[j * cols + j] * r2[j * cols + j]));
            }

            Assert.True(r2[i * cols + i] > 0);
        }

        var scale = y.Max(Math.Abs);
        for (var i = 0; i < rows * cols; i++)
        {
            Assert.Equal(y[i], back[i], 1e-5 * scale);
        }
    }

    [Fact]
    public void Dependent_and_zero_columns_are_dropped()
    {
        const int rows = 200, cols = 8;
        var y = Dense.Random(rows * cols, 3);
        for (var r = 0; r < rows; r++)
        {
            y[r * cols + 3] = (2 * y[r * cols]) - y[r * cols + 1];
            y[r * cols + 6] = 0f;
        }

        var q = (float[])y.Clone();
        Assert.Equal(cols - 2, CholeskyQr.Orthonormalize(q, rows, cols));

        Assert.All(Enumerable.Range(0, rows), r => Assert.Equal(0f, q[r * cols + 3]));
        Assert.All(Enumerable.Range(0, rows), r => Assert.Equal(0f, q[r * cols + 6]));
        AssertOrthonormal(q, rows, cols, [0, 1, 2, 4, 5, 7]);
        // Every input column, the dependent one too, lies in the span of the kept columns.
        var coefficients = Dense.Multiply(cols, cols, rows, q, cols, true, y, cols, false);
        var back = Dense.Multiply(rows, cols, cols, q, cols, false, Array.ConvertAll(coefficients, x => (float)x), cols, false);
        for (var i = 0; i < rows * cols; i++)
        {
            Assert.Equal(y[i], back[i], 1e-5);
        }
    }

    private static void AssertOrthonormal(float[] q, int rows, int cols, IEnumerable<int> columns)
    {
        var gram = Dense.Multiply(cols, cols, rows, q, cols, true, q, cols, false);
        foreach (var i in columns)
        {
            foreach (var j in columns)
            {
                Assert.Equal(i == j ? 1.0 : 0.0, gram[i * cols + j], 1e-5);
            }
        }
    }
}
