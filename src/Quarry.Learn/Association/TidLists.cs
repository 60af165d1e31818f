using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Quarry.Learn.Association;

/// <summary>Merge kernels over ascending transaction-id lists, with early exit once a support bound is missed.</summary>
internal static class TidLists
{
    // Beyond this size ratio a galloping search beats a linear merge.
    private const int GallopRatio = 32;

    /// <summary>Writes a ∩ b into <paramref name="destination"/>; returns its size, or -1 once it cannot reach <paramref name="minCount"/>.</summary>
    public static int Intersect(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> destination, int minCount)
    {
        if (a.Length < minCount || b.Length < minCount)
        {
            return -1;
        }

        if (a.Length > b.Length)
        {
            var swap = a;
            a = b;
            b = swap;
        }

        return b.Length > GallopRatio * a.Length
            ? IntersectGalloping(a, b, destination, minCount)
            : IntersectMerge(a, b, destination, minCount);
    }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IntersectMerge(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> destination, int minCount)
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rd = ref MemoryMarshal.GetReference(destination);
        int na = a.Length, nb = b.Length;
        int missA = na - minCount, missB = nb - minCount;
        int i = 0, j = 0, k = 0;
        while (i < na && j < nb)
        {
            var x = Unsafe.Add(ref ra, i);
            var y = Unsafe.Add(ref rb, j);
            Unsafe.Add(ref rd, k) = x;
            k += x == y ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += x >= y ? 1 : 0;
            if (i - k > missA || j - k > missB)
            {
                return -1;
            }
        }

        return k >= minCount ? k : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IntersectGalloping(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> destination, int minCount)
    {
        var missA = a.Length - minCount;
        int j = 0, k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var step = 1;
            var hi = j;
            while (hi < b.Length && b[hi] < x)
            {
                j = hi + 1;
                hi += step;
                step <<= 1;
            }

            var found = b[j..Math.Min(hi + 1, b.Length)].BinarySearch(x);
            if (found >= 0)
            {
                destination[k++] = x;
                j += found + 1;
            }
            else
            {
                j += ~found;
                if (i + 1 - k > missA)
                {
                    return -1;
                }
            }

            if (j >= b.Length)
            {
                break;
            }
        }

        return k >= minCount ? k : -1;
    }

    /// <summary>Writes b \ a into <paramref name="destination"/>; returns its size, or -1 once it exceeds <paramref name="maxCount"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Difference(ReadOnlySpan<int> b, ReadOnlySpan<int> a, Span<int> destination, int maxCount)
    {
        if (maxCount < 0 || b.Length - a.Length > maxCount)
        {
            return -1;
        }

        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rd = ref MemoryMarshal.GetReference(destination);
        int na = a.Length, nb = b.Length;
        int i = 0, j = 0, k = 0;
        while (i < na && j < nb)
        {
            var x = Unsafe.Add(ref ra, i);
            var y = Unsafe.Add(ref rb, j);
            Unsafe.Add(ref rd, k) = y;
            k += y < x ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += y <= x ? 1 : 0;
            if (k > maxCount)
            {
                return -1;
            }
        }

        var rest = nb - j;
        if (k + rest > maxCount)
        {
            return -1;
        }

        b[j..].CopyTo(destination[k..]);
        return k + rest;
    }
}
