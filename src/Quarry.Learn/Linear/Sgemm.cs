using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Quarry.Learn.Linear;

/// <summary>Which micro-kernel a product uses; tests force the narrower one to cover the fallback.</summary>
internal enum KernelWidth
{
    Auto,
    Vector256,
    Vector512,
}

/// <summary>Which operand of a product is held in <see cref="PanelLayout"/>.</summary>
internal enum Panels
{
    None,
    B,
    C,
}

/// <summary>Packed, cache-blocked single-precision matrix product on row-major storage, on at most two threads.</summary>
public static unsafe class Sgemm
{
    private const int Kc = 256;
    private const int Mc = 120;
    private const int Nc = 4096;

    /// <summary>Largest number of threads a product uses: the cores, capped at two.</summary>
    public static int MaxThreads => Math.Min(Environment.ProcessorCount, 2);

    /// <summary>
    /// C = alpha·op(A)·op(B), or C += alpha·op(A)·op(B) when <paramref name="accumulate"/>; op(A) is m×k, op(B) is k×n,
    /// all row-major with the given leading dimensions (op(X) = Xᵀ when the transpose flag is set).
    /// </summary>
    public static void Multiply(
        int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transposeA,
        ReadOnlySpan<float> b, int ldb, bool transposeB,
        Span<float> c, int ldc,
        float alpha = 1f, bool accumulate = false, int threads = 2)
        => Multiply(m, n, k, a, lda, transposeA, b, ldb, transposeB, c, ldc, alpha, accumulate, threads, lowerOnly: false, KernelWidth.Auto);

    /// <summary>
    /// C = op(A)·B, or C += op(A)·B when <paramref name="accumulate"/>, where B is k×n held in <see cref="PanelLayout"/>:
    /// the product reads B where it lies instead of packing it, so a weight matrix kept in that layout is never repacked.
    /// </summary>
    public static void MultiplyByPanels(
        int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transposeA,
        ReadOnlySpan<float> panelB,
        Span<float> c, int ldc,
        bool accumulate = false, int threads = 2)
        => Multiply(m, n, k, a, lda, transposeA, panelB, k, false, c, ldc, 1f, accumulate, threads, lowerOnly: false, KernelWidth.Auto, Panels.B);

    /// <summary>C = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/>, with C (m×n) held in <see cref="PanelLayout"/>.</summary>
    public static void MultiplyIntoPanels(
        int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transposeA,
        ReadOnlySpan<float> b, int ldb, bool transposeB,
        Span<float> panelC,
        bool accumulate = false, int threads = 2)
        => Multiply(m, n, k, a, lda, transposeA, b, ldb, transposeB, panelC, m, 1f, accumulate, threads, lowerOnly: false, KernelWidth.Auto, Panels.C);

    /// <summary>As the public overload; <paramref name="lowerOnly"/> skips micro-tiles that lie wholly above the diagonal of C.</summary>
    internal static void Multiply(
        int m, int n, int k,
        ReadOnlySpan<float> a, int lda, bool transposeA,
        ReadOnlySpan<float> b, int ldb, bool transposeB,
        Span<float> c, int ldc,
        float alpha, bool accumulate, int threads, bool lowerOnly, KernelWidth width, Panels panels = Panels.None)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0)
        {
            return;
        }

        CheckOperand(a.Length, lda, transposeA ? k : m, transposeA ? m : k, nameof(a));
        if (panels == Panels.B)
        {
            CheckPanels(b.Length, k, n, nameof(b));
        }
        else
        {
            CheckOperand(b.Length, ldb, transposeB ? n : k, transposeB ? k : n, nameof(b));
        }

        if (panels == Panels.C)
        {
            CheckPanels(c.Length, m, n, nameof(c));
        }
        else
        {
            CheckOperand(c.Length, ldc, m, n, nameof(c));
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    for (var j = 0; j < n; j += PanelLayout.Width)
                    {
                        var at = panels == Panels.C ? PanelLayout.IndexOf(i, j, m) : (i * ldc) + j;
                        c.Slice(at, Math.Min(PanelLayout.Width, n - j)).Clear();
                    }
                }
            }

            return;
        }

        var wide = width switch
        {
            KernelWidth.Vector512 => true,
            KernelWidth.Vector256 => false,
            _ => Vector512.IsHardwareAccelerated,
        };
        var job = new Job
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransposeA = transposeA, TransposeB = transposeB,
            Alpha = alpha, Accumulate = accumulate, LowerOnly = lowerOnly, Nr = wide ? 32 : 16, PanelB = panels == Panels.B, PanelC = panels == Panels.C,
            Kernel = wide ? &SgemmKernels.Kernel512 : &SgemmKernels.Kernel256,
        };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(threads, 1, MaxThreads) };
        fixed (float* pa = a, pb = b, pc = c)
        {
            job.A = pa;
            job.B = pb;
            job.C = pc;
            job.PackB = job.PanelB ? null : Scratch.Current.PackB(Kc * Math.Min(Nc, RoundUp(n, 32)));
            Run(job, parallel);
        }
    }

    private static void Run(Job job, ParallelOptions parallel)
    {
        var blocks = (job.M + Mc - 1) / Mc;
        for (var jc = 0; jc < job.N; jc += Nc)
        {
            if (job.LowerOnly && jc >= job.M)
            {
                break;
            }

            var nc = Math.Min(Nc, job.N - jc);
            for (var pc = 0; pc < job.K; pc += Kc)
            {
                var kc = Math.Min(Kc, job.K - pc);
                if (!job.PanelB)
                {
                    SgemmKernels.PackB(job.B, job.Ldb, job.TransposeB, pc, kc, jc, nc, job.Nr, job.PackB);
                }
                var first = job.LowerOnly ? jc / Mc : 0;
                var step = new Step(jc, nc, pc, kc);
                if (parallel.MaxDegreeOfParallelism == 1 || blocks - first == 1)
                {
                    var packA = Scratch.Current.PackA;
                    for (var block = first; block < blocks; block++)
                    {
                        Macro(job, step, block, packA);
                    }
                }
                else
                {
                    // Each worker packs A into its own thread's buffer; the calling thread's packed B is shared read-only.
                    Parallel.For(first, blocks, parallel, block => Macro(job, step, block, Scratch.Current.PackA));
                }
            }
        }
    }

    /// <summary>
    /// Packing buffers kept per thread and reused by every product on it, so repeated small products (a training loop)
    /// neither allocate nor fault in fresh pages; freed when the thread ends.
    /// </summary>
    private sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? t_current;

        private float* _packB;
        private int _packBLength;

        private Scratch() => PackA = (float*)NativeMemory.AlignedAlloc((nuint)(Mc * Kc * sizeof(float)), 64);

        ~Scratch()
        {
            NativeMemory.AlignedFree(PackA);
            NativeMemory.AlignedFree(_packB);
        }

        public static Scratch Current => t_current ??= new Scratch();

        public float* PackA { get; }

        public float* PackB(int length)
        {
            if (length > _packBLength)
            {
                NativeMemory.AlignedFree(_packB);
                _packB = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
                _packBLength = length;
            }

            return _packB;
        }
    }

    private static void Macro(Job job, Step step, int block, float* packA)
    {
        var ic = block * Mc;
        var mc = Math.Min(Mc, job.M - ic);
        SgemmKernels.PackA(job.A, job.Lda, job.TransposeA, ic, mc, step.Pc, step.Kc, packA);
        var accumulate = job.Accumulate || step.Pc > 0;
        var nr = job.Nr;
        var ldc = job.PanelC ? PanelLayout.Width : job.Ldc;
        var bStride = job.PanelB ? PanelLayout.Width : nr;
        var tile = stackalloc float[SgemmKernels.Mr * SgemmKernels.MaxNr];
        for (var jr = 0; jr < step.Nc; jr += nr)
        {
            var col = step.Jc + jr;
            var cols = Math.Min(nr, step.Nc - jr);
            var pb = job.PanelB
                ? job.B + PanelLayout.IndexOf(step.Pc, col, job.K)
                : job.PackB + ((long)jr * step.Kc);
            for (var ir = 0; ir < mc; ir += SgemmKernels.Mr)
            {
                var row = ic + ir;
                var rows = Math.Min(SgemmKernels.Mr, mc - ir);
                if (job.LowerOnly && col > row + rows - 1)
                {
                    continue;
                }

                var pa = packA + ((long)ir * step.Kc);
                var target = job.C + (job.PanelC ? PanelLayout.IndexOf(row, col, job.M) : ((long)row * ldc) + col);
                if (rows == SgemmKernels.Mr && cols == nr)
                {
                    job.Kernel(step.Kc, pa, pb, bStride, target, ldc, job.Alpha, accumulate);
                    continue;
                }

                job.Kernel(step.Kc, pa, pb, bStride, tile, nr, job.Alpha, false);
                for (var i = 0; i < rows; i++)
                {
                    var dst = target + ((long)i * ldc);
                    var src = tile + (i * nr);
                    for (var j = 0; j < cols; j++)
                    {
                        dst[j] = accumulate ? dst[j] + src[j] : src[j];
                    }
                }
            }
        }
    }

    private static void CheckOperand(int length, int ld, int rows, int cols, string name)
    {
        if (rows > 0 && cols > 0 && (ld < cols || (long)(rows - 1) * ld + cols > length))
        {
            throw new ArgumentException($"operand {name} needs {rows}×{cols} with leading dimension {ld} ≥ {cols}, but has {length} elements", name);
        }
    }

    private static void CheckPanels(int length, int rows, int cols, string name)
    {
        if (length < PanelLayout.Length(rows, cols))
        {
            throw new ArgumentException($"operand {name} needs {PanelLayout.Length(rows, cols)} elements for {rows}×{cols} in panels, but has {length}", name);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private readonly record struct Step(int Jc, int Nc, int Pc, int Kc);

    private sealed class Job
    {
        public int M, N, K, Lda, Ldb, Ldc, Nr;
        public bool TransposeA, TransposeB, Accumulate, LowerOnly, PanelB, PanelC;
        public float Alpha;
        public float* A, B, C, PackB;
        public delegate*<int, float*, float*, long, float*, long, float, bool, void> Kernel;
    }
}
