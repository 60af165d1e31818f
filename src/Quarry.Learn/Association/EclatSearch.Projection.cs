using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
    // Rows are fetched this many rows ahead: each database row is a cache miss, and the row list says which come next.
    private const int PrefetchDistance = 16;

    // Value -> index among the members of the class being projected (-1 otherwise), and the matrix row of each index.
    private readonly int[] _memberIndex;
    private readonly int[] _memberBase;

    // Write cursor of each member's row list while the lists are built (-1 for members without one).
    private readonly int[] _fill;

    // Member indices found in one row, descending.
    private readonly int[] _found;

    /// <summary>
    /// Scans the class's rows once: adds one to the matrix cell (when <paramref name="matrix"/> &gt;= 0) of every member pair a
    /// row holds, and writes each row holding at least <paramref name="keepFrom"/> members from <paramref name="write"/> on as
    /// their indices (descending) and an end mark of -1, counting per member in _counts the rows written. Returns the end.
    /// </summary>
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Project(ClassRows rows, int last, int first, int count, int matrix, int write, int keepFrom)
    {
        int[] index = _memberIndex, bases = _memberBase, found = _found, counts = _counts, arena = _arena;
        var values = rows.InArena ? arena : _rows;
        var starts = (rows.InArena ? arena : _tids).AsSpan(rows.Start, rows.Length);
        for (var x = 0; x < count; x++)
        {
            index[_members[first + x].Value] = x;
            bases[x] = matrix + RowBase(x, count);
        }

        // Every value read is below the rows' length and every member index below count, so the loops index without checks:
        // a row always holds `last` (it ends the scan), and `found` has room for the longest row.
        ref var value = ref MemoryMarshal.GetArrayDataReference(values);
        ref var indexOf = ref MemoryMarshal.GetArrayDataReference(index);
        ref var foundAt = ref MemoryMarshal.GetArrayDataReference(found);
        ref var cells = ref MemoryMarshal.GetArrayDataReference(arena);
        for (var k = 0; k < starts.Length; k++)
        {
            if (k + PrefetchDistance < starts.Length)
            {
                Prefetch(values, starts[k + PrefetchDistance]);
            }

            // Values descend and every row holds `last`, so the members of a row are among the values before it.
            var length = 0;
            for (var q = starts[k]; ; q++)
            {
                var v = Unsafe.Add(ref value, q);
                if (v <= last)
                {
                    break;
                }

                var x = Unsafe.Add(ref indexOf, v);
                Unsafe.Add(ref foundAt, length) = x;
                length += ~x >>> 31;
            }

            if (matrix >= 0)
            {
                // Indices descend along the row: each pairs, as the lower index, with those found before it.
                for (var u = 1; u < length; u++)
                {
                    ref var row = ref Unsafe.Add(ref cells, bases[Unsafe.Add(ref foundAt, u)]);
                    for (var f = 0; f < u; f++)
                    {
                        Unsafe.Add(ref row, Unsafe.Add(ref foundAt, f))++;
                    }
                }
            }

            if (length >= keepFrom)
            {
                var end = write + length;
                Debug.Assert(end < arena.Length, "the caller made room for every projected row");
                for (var f = 0; f < length; f++)
                {
                    var x = Unsafe.Add(ref foundAt, f);
                    Unsafe.Add(ref cells, write + f) = x;
                    counts[x]++;
                }

                Unsafe.Add(ref cells, end) = -1;
                write = end + 1;
            }
        }

        for (var x = 0; x < count; x++)
        {
            index[_members[first + x].Value] = -1;
        }

        return write;
    }

    /// <summary>Lists, for each member with a non-zero Length, the starts of the projected rows (between <paramref name="from"/> and <paramref name="to"/>) holding it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ListRows(int from, int to, int first, int count, long total)
    {
        EnsureArena(total);
        int[] fill = _fill, arena = _arena;
        var position = _arenaTop;
        for (var x = 0; x < count; x++)
        {
            ref var member = ref _members[first + x];
            if (member.Length > 0)
            {
                member.Start = position;
                fill[x] = position;
                position += member.Length;
            }
        }

        for (var p = from; p < to; p++)
        {
            var start = p;
            for (int x; (x = arena[p]) >= 0; p++)
            {
                var slot = fill[x];
                if (slot >= 0)
                {
                    arena[slot] = start;
                    fill[x] = slot + 1;
                }
            }
        }

        for (var x = 0; x < count; x++)
        {
            fill[x] = -1;
        }

        _arenaTop = position;
    }

    /// <summary>Counts in _counts, per higher member index, the projected rows of <paramref name="member"/> (index <paramref name="x"/>) that hold it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountExtensions(Member member, int x)
    {
        int[] counts = _counts, arena = _arena;
        for (var k = member.Start; k < member.Start + member.Length; k++)
        {
            for (var q = arena[k]; arena[q] > x; q++)
            {
                counts[arena[q]]++;
            }
        }
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
