using System.Numerics;
using System.Runtime.Intrinsics;

namespace Quarry.Learn.Association;

/// <summary>Ascending sort of int spans that are usually short (a transaction, a class's members).</summary>
internal static class SmallSort
{
    // Up to this length an insertion sort beats the general sort, whose comparer calls are not inlined in every build.
    private const int InsertionLimit = 64;

    public static void Sort(Span<int> values)
    {
        if (values.Length > InsertionLimit)
        {
            values.Sort();
            return;
        }

        for (var i = 1; i < values.Length; i++)
        {
            var value = values[i];
            var j = i - 1;
            while (j >= 0 && values[j] > value)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = value;
        }
    }

    /// <summary>Sorts distinct values below scratch.Length * 64 through a bitmap: linear in the count plus the value range / 64.</summary>
    public static void SortDistinct(Span<int> values, ulong[] scratch)
    {
        if (values.Length <= InsertionLimit)
        {
            Sort(values);
            return;
        }

        int low = int.MaxValue, high = 0;
        foreach (var value in values)
        {
            scratch[value >> 6] |= 1UL << value;
            low = Math.Min(low, value);
            high = Math.Max(high, value);
        }

        var k = 0;
        for (var word = low >> 6; word <= high >> 6; word++)
        {
            var bits = scratch[word];
            scratch[word] = 0;
            while (bits != 0)
            {
                values[k++] = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }
    }

    /// <summary>Sorts distinct values descending: up to 16 of them without branches, each placed by counting the larger ones.</summary>
    public static void SortDistinctDescending(Span<int> values)
    {
        if (values.Length > 16 || !Vector256.IsHardwareAccelerated)
        {
            Sort(values);
            values.Reverse();
            return;
        }

        // Padding with int.MinValue, which no value is below, leaves every count unchanged.
        Span<int> padded = stackalloc int[16];
        padded.Fill(int.MinValue);
        values.CopyTo(padded);
        var low = Vector256.Create<int>(padded);
        var high = Vector256.Create<int>(padded[8..]);
        foreach (var value in padded[..values.Length])
        {
            var probe = Vector256.Create(value);
            var larger = Vector256.GreaterThan(low, probe).ExtractMostSignificantBits() | (Vector256.GreaterThan(high, probe).ExtractMostSignificantBits() << 8);
            values[BitOperations.PopCount(larger)] = value;
        }
    }
}
