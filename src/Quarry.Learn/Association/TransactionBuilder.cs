using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

/// <summary>Accumulates transactions into CSR arrays, sorting and de-duplicating each one as it closes.</summary>
internal sealed class TransactionBuilder
{
    private int[] _items;
    private int[] _offsets = new int[256];
    private int _length;
    private int _maxItem = -1;

    /// <summary>Starts with room for <paramref name="expectedItems"/> items, so that a known input size spares the regrowth copies.</summary>
    public TransactionBuilder(int expectedItems = 1024) => _items = new int[Math.Max(16, expectedItems)];

    public int Count { get; private set; }

    public void Add(int item)
    {
        if (_length == _items.Length)
        {
            Array.Resize(ref _items, checked(_items.Length * 2));
        }

        _items[_length++] = item;
    }

    /// <summary>Adds one whole transaction; cheaper than Add per item when the items already ascend, as in most files.</summary>
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddTransaction(ReadOnlySpan<int> items)
    {
        if (_length + items.Length > _items.Length)
        {
            Array.Resize(ref _items, Math.Max(checked(_items.Length * 2), _length + items.Length));
        }

        var ascending = true;
        for (var i = 1; i < items.Length; i++)
        {
            ascending &= items[i - 1] < items[i];
        }

        items.CopyTo(_items.AsSpan(_length));
        _length += items.Length;
        if (!ascending)
        {
            EndTransaction();
            return;
        }

        if (items.Length > 0 && items[^1] > _maxItem)
        {
            _maxItem = items[^1];
        }

        CloseTransaction();
    }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndTransaction()
    {
        var start = _offsets[Count];
        var span = _items.AsSpan(start, _length - start);
        if (span.Length > 1)
        {
            SmallSort.Sort(span);
            var kept = 1;
            for (var i = 1; i < span.Length; i++)
            {
                if (span[i] != span[kept - 1])
                {
                    span[kept++] = span[i];
                }
            }

            _length = start + kept;
            _maxItem = Math.Max(_maxItem, span[kept - 1]);
        }
        else if (span.Length == 1)
        {
            _maxItem = Math.Max(_maxItem, span[0]);
        }

        CloseTransaction();
    }

    private void CloseTransaction()
    {
        if (Count + 2 > _offsets.Length)
        {
            Array.Resize(ref _offsets, checked(_offsets.Length * 2));
        }

        _offsets[++Count] = _length;
    }

    /// <summary>Rewrites every stored item through <paramref name="map"/>; the map must be increasing so order is kept.</summary>
    public void Remap(ReadOnlySpan<int> map, int itemCount)
    {
        var items = _items.AsSpan(0, _length);
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = map[items[i]];
        }

        _maxItem = itemCount - 1;
    }

    /// <summary>Rewrites every stored item through an increasing map held in a dictionary (for sparse, large labels).</summary>
    public void Remap(Dictionary<int, int> map)
    {
        var items = _items.AsSpan(0, _length);
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = map[items[i]];
        }

        _maxItem = map.Count - 1;
    }

    public ReadOnlySpan<int> StoredItems => _items.AsSpan(0, _length);

    public int MaxItem => _maxItem;

    public TransactionDatabase Build() => new(_items, _offsets, Count, _maxItem + 1);
}
