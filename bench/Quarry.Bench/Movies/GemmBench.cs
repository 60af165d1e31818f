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
        var a = RandomMatrix(size, 1);
        var b = RandomMatrix(size, 2);
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

    private static float[] RandomMatrix(int size, int seed)
    {
        var random = new Random(seed);
        var values = new float[size * size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle() - 0.5f;
        }

        return values;
    }
}
