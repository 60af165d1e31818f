namespace Quarry.Learn.Association;

/// <summary>The frequent items ranked by ascending support (ties by id): rank to item id and support, and item id to rank (-1 if infrequent).</summary>
internal sealed class RankedItems
{
    public RankedItems(int[] itemSupports)
    {
        var frequent = 0;
        foreach (var support in itemSupports)
        {
            frequent += support > 0 ? 1 : 0;
        }

        Labels = new int[frequent];
        Supports = new int[frequent];
        for (int item = 0, r = 0; item < itemSupports.Length; item++)
        {
            if (itemSupports[item] > 0)
            {
                Labels[r++] = item;
            }
        }

        var keys = new long[frequent];
        for (var r = 0; r < frequent; r++)
        {
            keys[r] = ((long)itemSupports[Labels[r]] << 32) | (uint)Labels[r];
        }

        Array.Sort(keys, Labels);
        RankOf = new int[itemSupports.Length];
        Array.Fill(RankOf, -1);
        for (var r = 0; r < frequent; r++)
        {
            RankOf[Labels[r]] = r;
            Supports[r] = itemSupports[Labels[r]];
            TotalSupport += Supports[r];
        }
    }

    public int[] Labels { get; }

    public int[] Supports { get; }

    public int[] RankOf { get; }

    /// <summary>Occurrences of frequent items in the database.</summary>
    public long TotalSupport { get; }

    public int Count => Labels.Length;
}
