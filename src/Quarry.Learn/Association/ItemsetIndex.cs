using System.Numerics;

namespace Quarry.Learn.Association;

/// <summary>Open-addressing hash table from itemset contents to itemset index, built once on first lookup.</summary>
internal sealed class ItemsetIndex
{
    private readonly int[] _slots;
    private readonly int _mask;

    public ItemsetIndex(int count, int[] items, int[] offsets)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, count * 2));
        _slots = new int[capacity];
        _mask = capacity - 1;
        for (var i = 0; i < count; i++)
        {
            var slot = (int)Hash(items.AsSpan(offsets[i], offsets[i + 1] - offsets[i])) & _mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            // Stored as index + 1 so that zero marks an empty slot.
            _slots[slot] = i + 1;
        }
    }

    public int Find(ReadOnlySpan<int> key, int[] items, int[] offsets)
    {
        var slot = (int)Hash(key) & _mask;
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            var index = entry - 1;
            if (items.AsSpan(offsets[index], offsets[index + 1] - offsets[index]).SequenceEqual(key))
            {
                return index;
            }

            slot = (slot + 1) & _mask;
        }
    }

    private static uint Hash(ReadOnlySpan<int> key)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)key.Length;
        foreach (var item in key)
        {
            h = (h ^ (uint)item) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 29;
        }

        return (uint)(h ^ (h >> 32));
    }
}
