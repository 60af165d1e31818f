using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
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
        var rows = _rows;
        foreach (var tid in Slice(parent))
        {
            // The row holds the parent's rank; the siblings' higher ranks all come before it.
            for (var q = tid; rows[q] > parentRank; q++)
            {
                var r = rows[q];
                if (stamps[r] == stamp)
                {
                    _counts[r]++;
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
            foreach (var tid in Slice(parent))
            {
                for (var q = tid; rows[q] > parentRank; q++)
                {
                    var r = rows[q];
                    if (stamps[r] == stamp && _fill[r] >= 0)
                    {
                        arena[_fill[r]++] = tid;
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
}
