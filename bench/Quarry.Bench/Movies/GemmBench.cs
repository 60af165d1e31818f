using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Quarry.Learn.Linear;

namespace Quarry.Bench.Movies;

/// <summary>GFLOP/s of the packed SGEMM (one and two threads) next to a TensorPrimitives dot-per-element baseline.</summary>
internal static class GemmBench
{
    public static void Run(int size)
    {
        var a = RandomValues(size * size, 1);
        var b = RandomValues(size * size, 2);
        var c = new float[size * size];
        var flops = 2.0 * size * size * size;
        Console.WriteLine($"| {size}³ float32 C = A·Bᵀ | best of 3 (s) | GFLOP/s |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var threads in new[] { 1, Sgemm.MaxThreads }.Distinct())
        {
            Sgemm.Multiply(size, size, size, a, size, false, b, size, true, c, size, threads: threads);
            var best = Best(() => Sgemm.Multiply(size, size, size, a, size, false, b, size, true, c, size, threads: threads));
            Print($"packed SGEMM, {threads} thread(s)", best, flops);
        }

        var naive = Best(() =>
        {
            for (var i = 0; i < size; i++)
            {
                var row = a.AsSpan(i * size, size);
                for (var j = 0; j < size; j++)
                {
                    c[i * size + j] = TensorPrimitives.Dot(row, b.AsSpan(j * size, size));
                }
            }
        }, repeats: 1);
        Print("TensorPrimitives.Dot per element, 1 thread", naive, flops);
        var reference = (float[])c.Clone();
        Sgemm.Multiply(size, size, size, a, size, false, b, size, true, c, size);
        var difference = 0f;
        for (var i = 0; i < c.Length; i++)
        {
            difference = Math.Max(difference, Math.Abs(c[i] - reference[i]));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest |SGEMM − baseline| over all {c.Length:N0} entries: {difference:G3}"));
        Console.WriteLine();
    }

    /// <summary>Times the SPD inverse of an n×n matrix A = Y·Yᵀ/k + I and reports the residual max |A·A⁻¹ − I| on a few rows.</summary>
    public static void Inverse(int n)
    {
        const int k = 256;
        var y = RandomValues(n * k, 3);
        var a = new float[(long)n * n];
        Sgemm.Multiply(n, n, k, y, k, false, y, k, true, a, n, 1f / k);
        for (var i = 0; i < n; i++)
        {
            a[(long)i * n + i] += 1f;
        }

        var original = a.AsSpan(0, 8 * n).ToArray();
        var clock = Stopwatch.StartNew();
        SpdInverse.Invert(a, n);
        var seconds = clock.Elapsed.TotalSeconds;
        var residual = 0.0;
        for (var i = 0; i < 8; i++)
        {
            for (var j = 0; j < n; j++)
            {
                // A is symmetric, so row i of A times column j of A⁻¹ equals row i of A · row j of A⁻¹.
                var dot = TensorPrimitives.Dot(original.AsSpan(i * n, n), a.AsSpan(j * n, n));
                residual = Math.Max(residual, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SPD inverse {n:N0}×{n:N0} (float32, blocked symmetric sweep): {seconds:F2} s, {(double)n * n * n / seconds / 1e9:F1} GFLOP/s at n³ flops; max |A·A⁻¹ − I| over 8 rows {residual:G3}"));
        Console.WriteLine();
    }

    private static void Print(string name, double seconds, double flops)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {seconds:F3} | {flops / seconds / 1e9:F1} |"));

    private static double Best(Action action, int repeats = 3)
    {
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle() - 0.5f;
        }

        return values;
    }
}
