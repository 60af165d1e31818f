using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Quarry.Learn.Neural;

/// <summary>Row-wise helpers on row-major batches: bias broadcast, column sums, ReLU and its gradient.</summary>
internal static class Rows
{
    /// <summary>Sets each of the <paramref name="rows"/> rows of <paramref name="matrix"/> to <paramref name="row"/>.</summary>
    public static void Broadcast(ReadOnlySpan<float> row, Span<float> matrix, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            row.CopyTo(matrix.Slice(i * row.Length, row.Length));
        }
    }

    /// <summary>Adds the sum over rows of <paramref name="matrix"/> (rows × sums.Length) to <paramref name="sums"/>.</summary>
    public static void AddColumnSums(ReadOnlySpan<float> matrix, int rows, Span<float> sums)
    {
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(sums, matrix.Slice(i * sums.Length, sums.Length), sums);
        }
    }

    /// <summary>max(x, 0) in place.</summary>
    public static void Relu(Span<float> values) => TensorPrimitives.Max(values, 0f, values);

    /// <summary>Zeroes the gradient wherever the ReLU's output was not positive.</summary>
    public static void ReluBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var o = MemoryMarshal.Cast<float, Vector256<float>>(output);
            var g = MemoryMarshal.Cast<float, Vector256<float>>(gradient);
            for (var j = 0; j < g.Length; j++)
            {
                g[j] = Vector256.ConditionalSelect(Vector256.GreaterThan(o[j], Vector256<float>.Zero), g[j], Vector256<float>.Zero);
            }

            i = g.Length * Vector256<float>.Count;
        }

        for (; i < gradient.Length; i++)
        {
            if (!(output[i] > 0))
            {
                gradient[i] = 0;
            }
        }
    }
}
