using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
    /// <summary>Keeps only frequent items, as ranks sorted descending; transactions left empty are dropped.</summary>
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Rows, int[] Offsets) Recode(TransactionDatabase database, int[] rankOf)
    {
        var items = database.Items;
        var offsets = database.Offsets;
        var rows = new int[items.Length];
        var rowOffsets = new int[database.Count + 1];
        int length = 0, count = 0;
        for (var t = 0; t < database.Count; t++)
        {
            var start = length;
            for (var q = offsets[t]; q < offsets[t + 1]; q++)
            {
                var rank = rankOf[items[q]];
                if (rank >= 0)
                {
                    rows[length++] = rank;
                }
            }

            if (length > start)
            {
                SmallSort.SortDistinctDescending(rows.AsSpan(start, length - start));
                rowOffsets[++count] = length;
            }
        }

        // Rows stay in their array (its tail past the last row is unused); the offsets are trimmed to the rows kept.
        return (rows, rowOffsets.AsSpan(0, count + 1).ToArray());
    }

    /// <summary>
    /// Lists, per rank, the starts (ascending) of the rows where at least <paramref name="minHead"/> higher ranks come before
    /// it: a class counts partners in rows with one, and member pairs in rows with two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Tids, int[] Offsets) Transpose(int[] rows, int[] rowOffsets, int frequent, int minHead)
    {
        var offsets = new int[frequent + 1];
        for (var t = 0; t + 1 < rowOffsets.Length; t++)
        {
            for (var q = rowOffsets[t] + minHead; q < rowOffsets[t + 1]; q++)
            {
                offsets[rows[q] + 1]++;
            }
        }

        for (var r = 0; r < frequent; r++)
        {
            offsets[r + 1] += offsets[r];
        }

        var fill = offsets.AsSpan(0, frequent).ToArray();
        var tids = new int[offsets[frequent]];
        for (var t = 0; t + 1 < rowOffsets.Length; t++)
        {
            int start = rowOffsets[t], end = rowOffsets[t + 1];
            for (var q = start + minHead; q < end; q++)
            {
                tids[fill[rows[q]]++] = start;
            }
        }

        return (tids, offsets);
    }
}
