using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Quarry.Learn.Linear;

/// <summary>Register-blocked micro-kernels and panel packing for <see cref="Sgemm"/>.</summary>
internal static unsafe class SgemmKernels
{
    /// <summary>Rows of C computed per micro-tile.</summary>
    public const int Mr = 6;

    /// <summary>Widest micro-tile (columns) any kernel uses.</summary>
    public const int MaxNr = 32;

    /// <summary>Packs op(A)[i0.., p0..] (mc × kc) into Mr-row panels, zero-padded, p-major inside a panel.</summary>
    public static void PackA(float* a, int lda, bool transpose, int i0, int mc, int p0, int kc, float* dest)
    {
        for (var r = 0; r < mc; r += Mr)
        {
            var rows = Math.Min(Mr, mc - r);
            var panel = dest + (long)r * kc;
            for (var ii = 0; ii < Mr; ii++)
            {
                if (ii >= rows)
                {
                    for (var p = 0; p < kc; p++)
                    {
                        panel[p * Mr + ii] = 0f;
                    }

                    continue;
                }

                var row = i0 + r + ii;
                if (transpose)
                {
                    var src = a + ((long)p0 * lda) + row;
                    for (var p = 0; p < kc; p++)
                    {
                        panel[p * Mr + ii] = src[(long)p * lda];
                    }
                }
                else
                {
                    var src = a + ((long)row * lda) + p0;
                    for (var p = 0; p < kc; p++)
                    {
                        panel[p * Mr + ii] = src[p];
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0.., j0..] (kc × nc) into nr-column panels, zero-padded, p-major inside a panel.</summary>
    public static void PackB(float* b, int ldb, bool transpose, int p0, int kc, int j0, int nc, int nr, float* dest)
    {
        for (var q = 0; q < nc; q += nr)
        {
            var cols = Math.Min(nr, nc - q);
            var panel = dest + (long)q * kc;
            if (transpose)
            {
                for (var jj = 0; jj < nr; jj++)
                {
                    var src = b + ((long)(j0 + q + jj) * ldb) + p0;
                    for (var p = 0; p < kc; p++)
                    {
                        panel[p * nr + jj] = jj < cols ? src[p] : 0f;
                    }
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    var src = b + ((long)(p0 + p) * ldb) + j0 + q;
                    var row = panel + (p * nr);
                    for (var jj = 0; jj < cols; jj++)
                    {
                        row[jj] = src[jj];
                    }

                    for (var jj = cols; jj < nr; jj++)
                    {
                        row[jj] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>C[6×32] = (accumulate ? C : 0) + alpha · Apanel·Bpanel with 512-bit vectors; B's rows lie <c>bStride</c> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel512(int kc, float* a, float* b, long bStride, float* c, long ldc, float alpha, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            a += Mr;
            b += bStride;
        }

        var s = Vector512.Create(alpha);
        Store512(c, c00, c01, s, accumulate);
        Store512(c + ldc, c10, c11, s, accumulate);
        Store512(c + (2 * ldc), c20, c21, s, accumulate);
        Store512(c + (3 * ldc), c30, c31, s, accumulate);
        Store512(c + (4 * ldc), c40, c41, s, accumulate);
        Store512(c + (5 * ldc), c50, c51, s, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, Vector512<float> alpha, bool accumulate)
    {
        if (accumulate)
        {
            Vector512.FusedMultiplyAdd(v0, alpha, Vector512.Load(c)).Store(c);
            Vector512.FusedMultiplyAdd(v1, alpha, Vector512.Load(c + 16)).Store(c + 16);
        }
        else
        {
            (v0 * alpha).Store(c);
            (v1 * alpha).Store(c + 16);
        }
    }

    /// <summary>C[6×16] = (accumulate ? C : 0) + alpha · Apanel·Bpanel with 256-bit vectors (software when not accelerated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel256(int kc, float* a, float* b, long bStride, float* c, long ldc, float alpha, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += Mr;
            b += bStride;
        }

        var s = Vector256.Create(alpha);
        Store256(c, c00, c01, s, accumulate);
        Store256(c + ldc, c10, c11, s, accumulate);
        Store256(c + (2 * ldc), c20, c21, s, accumulate);
        Store256(c + (3 * ldc), c30, c31, s, accumulate);
        Store256(c + (4 * ldc), c40, c41, s, accumulate);
        Store256(c + (5 * ldc), c50, c51, s, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, Vector256<float> alpha, bool accumulate)
    {
        if (accumulate)
        {
            Vector256.FusedMultiplyAdd(v0, alpha, Vector256.Load(c)).Store(c);
            Vector256.FusedMultiplyAdd(v1, alpha, Vector256.Load(c + 8)).Store(c + 8);
        }
        else
        {
            (v0 * alpha).Store(c);
            (v1 * alpha).Store(c + 8);
        }
    }
}
