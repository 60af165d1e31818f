using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
    // Rows are fetched this many tids ahead: each row is a cache miss, and the tid list says which ones come next.
    private const int PrefetchDistance = 16;

    // Marks the ranks that are siblings of the current delivery, so that rows need no clearing between deliveries.
    private int[]? _stamps;
    private int _stamp;

    /// <summary>Delivery costs two passes over the parent's rows; intersections cost a merge with each sibling.</summary>
    private bool DeliveryIsCheaper(int a, int end)
    {
        var parentLength = _members[a].Length;
        double mergeCost = 0;
        for (var b = a + 1; b < end; b++)
        {
            mergeCost += parentLength + _members[b].Length;
        }

        return 2.0 * parentLength * _averageRowLength < mergeCost;
    }

    /// <summary>Builds t(P a b) for every sibling b at once by scanning the transactions of P a (occurrence delivery).</summary>
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (long TidTotal, long DiffTotal) DeliverSiblings(int a, int end, bool keep)
    {
        var stamps = _stamps ??= new int[_labels.Length];
        var stamp = ++_stamp;
        for (var b = a + 1; b < end; b++)
        {
            stamps[_members[b].Rank] = stamp;
        }

        var parent = _members[a];
        var parentRank = parent.Rank;
        int[] rows = _rows, counts = _counts, fill = _fill;
        var tids = Slice(parent);
        for (var k = 0; k < tids.Length; k++)
        {
            if (k + PrefetchDistance < tids.Length)
            {
                Prefetch(rows, tids[k + PrefetchDistance]);
            }

            // The row holds the parent's rank; the siblings' higher ranks all come before it.
            for (var q = tids[k]; rows[q] > parentRank; q++)
            {
                var r = rows[q];
                if (stamps[r] == stamp)
                {
                    counts[r]++;
                }
            }
        }

        long tidTotal = 0;
        long kept = 0;
        var position = _arenaTop;
        for (var b = a + 1; b < end; b++)
        {
            var rank = _members[b].Rank;
            var support = _counts[rank];
            _counts[rank] = 0;
            if (support < _minSupport)
            {
                continue;
            }

            if (keep)
            {
                AddMember(rank, support, position, support);
                _fill[rank] = position;
                position += support;
                tidTotal += support;
                kept++;
            }
            else
            {
                AddMember(rank, support, position, 0);
            }
        }

        if (kept > 0)
        {
            EnsureArena(tidTotal);
            var arena = _arena;
            tids = Slice(parent);
            foreach (var tid in tids)
            {
                for (var q = tid; rows[q] > parentRank; q++)
                {
                    var r = rows[q];
                    if (stamps[r] == stamp && fill[r] >= 0)
                    {
                        arena[fill[r]++] = tid;
                    }
                }
            }

            for (var m = _memberTop - (int)kept; m < _memberTop; m++)
            {
                _fill[_members[m].Rank] = -1;
            }

            _arenaTop = position;
        }

        return (tidTotal, (kept * parent.Support) - tidTotal);
    }

    /// <summary>Asks the CPU to start loading array[index]; a prefetch never faults, so an address made stale by the GC only wastes the hint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(int[] array, int index)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
        }
    }
}
