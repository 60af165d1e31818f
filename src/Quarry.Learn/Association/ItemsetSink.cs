using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

/// <summary>Growable flat store that mining writes each frequent itemset into.</summary>
internal sealed class ItemsetSink
{
    private int[] _items = new int[4096];
    private int[] _offsets = new int[1024];
    private int[] _supports = new int[1024];
    private int _length;

    public int Count { get; private set; }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    /// <summary>Appends <paramref name="sortedPrefix"/> plus <paramref name="item"/>, merged so the stored items stay ascending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<int> sortedPrefix, int item, int support)
    {
        var size = sortedPrefix.Length + 1;
        if (_length + size > _items.Length)
        {
            Array.Resize(ref _items, Math.Max(checked(_items.Length * 2), _length + size));
        }

        if (Count + 2 > _offsets.Length)
        {
            Array.Resize(ref _offsets, checked(_offsets.Length * 2));
            Array.Resize(ref _supports, _offsets.Length);
        }

        var target = _items.AsSpan(_length, size);
        var i = 0;
        while (i < sortedPrefix.Length && sortedPrefix[i] < item)
        {
            target[i] = sortedPrefix[i];
            i++;
        }

        target[i] = item;
        sortedPrefix[i..].CopyTo(target[(i + 1)..]);
        _length += size;
        _supports[Count] = support;
        _offsets[++Count] = _length;
    }

    public FrequentItemsets Build(int transactionCount, int[] itemSupports) =>
        new(transactionCount, Count, _items, _offsets, _supports, itemSupports);
}
