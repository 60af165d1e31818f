using Quarry.Learn.Linear;

namespace Quarry.Learn.Tests.Linear;

public sealed class SpdInverseTests
{
    [Theory]
    [InlineData(1, 512)]
    [InlineData(5, 512)]
    [InlineData(255, 512)]
    [InlineData(256, 512)]
    [InlineData(257, 256)]
    [InlineData(600, 512)]
    public void Inverse_matches_float64_reference(int n, int width)
    {
        var matrix = Dense.SymmetricPositiveDefinite(n, n);
        var expected = Dense.Inverse(Array.ConvertAll(matrix, x => (double)x), n);

        // Garbage above the diagonal must not matter: only the lower triangle is read.
        var work = (float[])matrix.Clone();
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                work[i * n + j] = float.NaN;
            }
        }

        var kernel = width == 512 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? KernelWidth.Vector512 : KernelWidth.Vector256;
        SpdInverse.Invert(work, n, null, TestContext.Current.CancellationToken, 2, kernel);

        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < n * n; i++)
        {
            Assert.Equal(expected[i], work[i], 2e-5 * scale);
        }
    }

    [Fact]
    public void Indefinite_matrix_is_rejected()
    {
        float[] matrix = [1, 2, 2, 1];
        Assert.Throws<ArgumentException>(() => SpdInverse.Invert(matrix, 2));
    }

    [Fact]
    public void Progress_reaches_one_and_cancellation_stops()
    {
        var matrix = Dense.SymmetricPositiveDefinite(300, 1);
        var reports = new List<double>();
        SpdInverse.Invert((float[])matrix.Clone(), 300, new SyncProgress(reports.Add));
        Assert.Equal(1.0, reports[^1]);
        Assert.Equal(2, reports.Count);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => SpdInverse.Invert(matrix, 300, ct: cts.Token));
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
