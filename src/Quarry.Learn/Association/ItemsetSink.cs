using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

/// <summary>Growable flat store of every itemset mining reports, each kept with its items ascending.</summary>
internal sealed class ItemsetSink : IItemsetReceiver
{
    private int[] _items = new int[4096];
    private int[] _offsets = new int[1024];
    private int[] _supports = new int[1024];
    private int _length;

    public int Count { get; private set; }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Receive(ReadOnlySpan<int> items, int support)
    {
        var size = items.Length;
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
        items.CopyTo(target);

        // Itemsets are short, so an insertion sort is the cheapest way to order them.
        for (var i = 1; i < target.Length; i++)
        {
            var item = target[i];
            var j = i - 1;
            while (j >= 0 && target[j] > item)
            {
                target[j + 1] = target[j];
                j--;
            }

            target[j + 1] = item;
        }

        _length += size;
        _supports[Count] = support;
        _offsets[++Count] = _length;
    }

    public FrequentItemsets Build(int transactionCount, int[] itemSupports) =>
        new(transactionCount, Count, _items, _offsets, _supports, itemSupports);
}
