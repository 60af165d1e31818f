using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
    // Largest triangular pair-count matrix worth building (ints); beyond it level two is counted per item instead.
    private const long PairMatrixLimit = 1 << 21;

    // Bitmap scratch for sorting the partners of an item (all zero between uses).
    private ulong[]? _sortBits;

    // Support of every rank pair (a < b) at _pairBase[a] + b, or null when there are too many frequent items.
    private readonly int[]? _pairCounts;
    private readonly int[]? _pairBase;

    /// <summary>Counts all pairs in one sequential pass over the rows, which is far cheaper than revisiting rows per item.</summary>
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[]? Counts, int[]? Base) CountPairs(int[] rows, int[] rowOffsets, int frequent)
    {
        var size = (long)frequent * (frequent - 1) / 2;
        if (frequent < 2 || size > PairMatrixLimit)
        {
            return (null, null);
        }

        var pairBase = new int[frequent];
        for (int a = 0, start = 0; a < frequent; a++)
        {
            // Row a holds b = a+1 .. frequent-1, so index start + (b - a - 1).
            pairBase[a] = start - a - 1;
            start += frequent - a - 1;
        }

        // Rows are counted into 16-bit cells, half the cache footprint of the totals; a row adds at most one to a cell, so the
        // cells are added to the totals before every 65,536th row.
        var counts = new int[size];
        var recent = new ushort[size];
        for (var t = 0; t + 1 < rowOffsets.Length; t++)
        {
            if (t % ushort.MaxValue == ushort.MaxValue - 1)
            {
                AddCounts(counts, recent);
            }

            // Rows descend, so every rank before position q pairs with the lower rank at q.
            int from = rowOffsets[t], to = rowOffsets[t + 1];
            for (var q = from + 1; q < to; q++)
            {
                var rowBase = pairBase[rows[q]];
                for (var p = from; p < q; p++)
                {
                    recent[rowBase + rows[p]]++;
                }
            }
        }

        AddCounts(counts, recent);
        return (counts, pairBase);
    }

    /// <summary>Adds the 16-bit counts to the totals and clears them.</summary>
    private static void AddCounts(int[] counts, ushort[] recent)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] += recent[i];
        }

        Array.Clear(recent);
    }

    /// <summary>Collects the frequent partners of <paramref name="rank"/> from the pair matrix into _touched/_counts, ascending.</summary>
    private int ReadPairCounts(int rank)
    {
        var counts = _pairCounts!;
        var rowBase = _pairBase![rank];
        var members = 0;
        for (var b = rank + 1; b < _labels.Length; b++)
        {
            var support = counts[rowBase + b];
            if (support >= _minSupport)
            {
                _counts[b] = support;
                _touched[members++] = b;
            }
        }

        return members;
    }

    /// <summary>Counts the partners of one item by scanning the higher ranks of its rows; leaves frequent ones, ascending, in _touched/_counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int DeliverTopCounts(int rank)
    {
        int[] rows = _rows, tids = _tids, counts = _counts, touchedRanks = _touched;
        int from = _tidOffsets[rank], to = _tidOffsets[rank + 1];

        // Ranks read are below the rank count and at most that many are touched, so the loop indexes without checks; a row
        // always holds `rank`, which ends the scan.
        ref var row = ref MemoryMarshal.GetArrayDataReference(rows);
        ref var count = ref MemoryMarshal.GetArrayDataReference(counts);
        ref var touchedAt = ref MemoryMarshal.GetArrayDataReference(touchedRanks);
        var touched = 0;
        for (var k = from; k < to; k++)
        {
            if (k + PrefetchDistance < to)
            {
                Prefetch(rows, tids[k + PrefetchDistance]);
            }

            for (var q = tids[k]; ; q++)
            {
                var r = Unsafe.Add(ref row, q);
                if (r <= rank)
                {
                    break;
                }

                // Recorded the first time it is counted, without a branch.
                Unsafe.Add(ref touchedAt, touched) = r;
                touched += Unsafe.Add(ref count, r)++ == 0 ? 1 : 0;
            }
        }

        var members = 0;
        for (var t = 0; t < touched; t++)
        {
            var r = touchedRanks[t];
            if (counts[r] >= _minSupport)
            {
                touchedRanks[members++] = r;
            }
            else
            {
                counts[r] = 0;
            }
        }

        SmallSort.SortDistinct(touchedRanks.AsSpan(0, members), _sortBits ??= new ulong[(_labels.Length + 63) / 64]);
        return members;
    }
}
