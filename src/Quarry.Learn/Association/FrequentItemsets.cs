namespace Quarry.Learn.Association;

/// <summary>Every frequent itemset of a mining run with its support count; items of each itemset sorted ascending.</summary>
public sealed class FrequentItemsets
{
    private readonly int[] _items;
    private readonly int[] _offsets;
    private readonly int[] _supports;
    private readonly int[] _itemSupports;
    private ItemsetIndex? _index;

    internal FrequentItemsets(int transactionCount, int count, int[] items, int[] offsets, int[] supports, int[] itemSupports)
    {
        TransactionCount = transactionCount;
        Count = count;
        _items = items;
        _offsets = offsets;
        _supports = supports;
        _itemSupports = itemSupports;
    }

    /// <summary>Number of transactions in the mined database.</summary>
    public int TransactionCount { get; }

    /// <summary>Number of frequent itemsets.</summary>
    public int Count { get; }

    /// <summary>Items of itemset <paramref name="index"/>, sorted ascending.</summary>
    public ReadOnlySpan<int> Items(int index)
    {
        CheckIndex(index);
        return _items.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);
    }

    /// <summary>Support count of itemset <paramref name="index"/>.</summary>
    public int Support(int index)
    {
        CheckIndex(index);
        return _supports[index];
    }

    /// <summary>Support count of a single item, or 0 when the item is not frequent.</summary>
    public int ItemSupport(int item) => (uint)item < (uint)_itemSupports.Length ? _itemSupports[item] : 0;

    /// <summary>Looks up the support of an itemset given with strictly ascending items; false when it is not frequent.</summary>
    public bool TryGetSupport(ReadOnlySpan<int> sortedItems, out int support)
    {
        for (var i = 1; i < sortedItems.Length; i++)
        {
            if (sortedItems[i] <= sortedItems[i - 1])
            {
                throw new ArgumentException("Items must be strictly ascending.", nameof(sortedItems));
            }
        }

        if (sortedItems.Length == 1)
        {
            support = ItemSupport(sortedItems[0]);
            return support > 0;
        }

        var index = Volatile.Read(ref _index) ?? BuildIndex();
        var found = sortedItems.Length == 0 ? -1 : index.Find(sortedItems, _items, _offsets);
        support = found >= 0 ? _supports[found] : 0;
        return found >= 0;
    }

    private ItemsetIndex BuildIndex()
    {
        var built = new ItemsetIndex(Count, _items, _offsets);
        return Interlocked.CompareExchange(ref _index, built, null) ?? built;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be in [0, {Count}).");
        }
    }
}
