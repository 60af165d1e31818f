using Quarry.Learn.Linear;

namespace Quarry.Learn.Tests.Linear;

public sealed class SgemmTests
{
    public static TheoryData<int, int, int, bool, bool, int> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool, int>();
        int[][] sizes = [[1, 1, 1], [6, 32, 8], [7, 33, 5], [13, 17, 257], [130, 77, 300], [241, 65, 513], [5, 4133, 3]];
        foreach (var size in sizes)
        {
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                foreach (var width in new[] { 256, 512 })
                {
                    data.Add(size[0], size[1], size[2], ta, tb, width);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Product_matches_float64_reference(int m, int n, int k, bool transposeA, bool transposeB, int width)
    {
        var lda = (transposeA ? m : k) + 3;
        var ldb = (transposeB ? k : n) + 1;
        var ldc = n + 2;
        var a = Dense.Random((transposeA ? k : m) * lda, m * 7 + k);
        var b = Dense.Random((transposeB ? n : k) * ldb, n * 13 + k);
        var c = Dense.Random(m * ldc, 5);
        var before = (float[])c.Clone();
        var expected = Dense.Multiply(m, n, k, a, lda, transposeA, b, ldb, transposeB);
        var kernel = width == 512 ? KernelWidth.Vector512 : KernelWidth.Vector256;
        if (width == 512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            kernel = KernelWidth.Auto;
        }

        Sgemm.Multiply(m, n, k, a, lda, transposeA, b, ldb, transposeB, c, ldc, -0.5f, true, 2, false, kernel);

        var tolerance = 1e-5 * k + 1e-6;
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.Equal(before[i * ldc + j] - (0.5 * expected[i * n + j]), c[i * ldc + j], tolerance);
            }

            // Padding columns beyond n stay untouched.
            for (var j = n; j < ldc; j++)
            {
                Assert.Equal(before[i * ldc + j], c[i * ldc + j]);
            }
        }
    }

    public static TheoryData<int, int, int, bool, int> PanelShapes()
    {
        var data = new TheoryData<int, int, int, bool, int>();
        int[][] sizes = [[1, 1, 1], [6, 32, 8], [7, 33, 5], [100, 500, 784], [784, 500, 100], [13, 4133, 3]];
        foreach (var size in sizes)
        {
            foreach (var transposeA in new[] { false, true })
            {
                foreach (var width in new[] { 256, 512 })
                {
                    data.Add(size[0], size[1], size[2], transposeA, width);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PanelShapes))]
    public void Products_with_B_or_C_in_panels_match_float64_reference(int m, int n, int k, bool transposeA, int width)
    {
        var lda = (transposeA ? m : k) + 1;
        var a = Dense.Random((transposeA ? k : m) * lda, m + (3 * k));
        var b = Dense.Random(k * n, n + k);
        var expected = Dense.Multiply(m, n, k, a, lda, transposeA, b, n, false);
        var kernel = width == 512 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? KernelWidth.Vector512 : KernelWidth.Vector256;
        var tolerance = 1e-5 * k + 1e-6;

        // B in panels, C row-major and accumulated into.
        var panelB = new float[PanelLayout.Length(k, n)];
        PanelLayout.Pack(b, k, n, n, panelB);
        var c = Dense.Random(m * n, 9);
        var before = (float[])c.Clone();
        Sgemm.Multiply(m, n, k, a, lda, transposeA, panelB, k, false, c, n, 1f, true, 2, false, kernel, Panels.B);
        for (var i = 0; i < m * n; i++)
        {
            Assert.Equal(before[i] + expected[i], c[i], tolerance);
        }

        // C in panels, overwritten; the padding past column n is left as it was.
        var panelC = new float[PanelLayout.Length(m, n)];
        Array.Fill(panelC, float.NaN);
        Sgemm.Multiply(m, n, k, a, lda, transposeA, b, n, false, panelC, m, 1f, false, 2, false, kernel, Panels.C);
        var unpacked = new float[m * n];
        PanelLayout.Unpack(panelC, m, n, unpacked, n);
        for (var i = 0; i < m * n; i++)
        {
            Assert.Equal(expected[i], unpacked[i], tolerance);
        }

        Assert.Equal(PanelLayout.Length(m, n) - (m * n), panelC.Count(float.IsNaN));
    }

    [Fact]
    public void Panel_layout_round_trips_and_pads_with_zeros()
    {
        var matrix = Dense.Random(3 * 40, 1);
        var panels = new float[PanelLayout.Length(3, 40)];
        Array.Fill(panels, float.NaN);
        PanelLayout.Pack(matrix, 3, 40, 40, panels);
        Assert.Equal(3 * 64, panels.Length);
        Assert.Equal(matrix[(2 * 40) + 33], panels[PanelLayout.IndexOf(2, 33, 3)]);
        Assert.Equal((3 * 64) - 120, panels.Count(v => v == 0f));
        var back = new float[3 * 40];
        PanelLayout.Unpack(panels, 3, 40, back, 40);
        Assert.Equal(matrix, back);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Overwrite_ignores_old_contents_and_threads_agree(int threads)
    {
        const int m = 150, n = 97, k = 40;
        var a = Dense.Random(m * k, 1);
        var b = Dense.Random(k * n, 2);
        var c = new float[m * n];
        Array.Fill(c, float.NaN);

        Sgemm.Multiply(m, n, k, a, k, false, b, n, false, c, n, threads: threads);

        var expected = Dense.Multiply(m, n, k, a, k, false, b, n, false);
        for (var i = 0; i < c.Length; i++)
        {
            Assert.Equal(expected[i], c[i], 1e-4);
        }
    }

    [Fact]
    public void Lower_only_product_fills_the_lower_triangle()
    {
        const int n = 300, k = 20;
        var a = Dense.Random(n * k, 3);
        var c = new float[n * n];
        Sgemm.Multiply(n, n, k, a, k, false, a, k, true, c, n, 1f, false, 2, lowerOnly: true, KernelWidth.Auto);

        var expected = Dense.Multiply(n, n, k, a, k, false, a, k, true);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                Assert.Equal(expected[i * n + j], c[i * n + j], 1e-4);
            }
        }
    }

    [Fact]
    public void Zero_depth_clears_or_keeps_C()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Sgemm.Multiply(2, 2, 0, [], 1, false, [], 2, false, c, 2, accumulate: true);
        Assert.Equal([1f, 2, 3, 4], c);
        Sgemm.Multiply(2, 2, 0, [], 1, false, [], 2, false, c, 2);
        Assert.Equal([0f, 0, 0, 0], c);
    }

    [Fact]
    public void Too_small_operands_are_rejected()
    {
        var a = new float[5];
        var b = new float[6];
        var c = new float[6];
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(2, 3, 3, a, 3, false, b, 3, false, c, 3));
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(2, 3, 2, new float[4], 1, false, b, 3, false, c, 3));
    }
}
