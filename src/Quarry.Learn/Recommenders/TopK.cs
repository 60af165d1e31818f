namespace Quarry.Learn.Recommenders;

/// <summary>Selects the best-scored items.</summary>
public static class TopK
{
    /// <summary>The <paramref name="k"/> highest-scored items not in <paramref name="exclude"/>, best first, ties by lower item id; NaN scores never qualify.</summary>
    public static int[] Select(ReadOnlySpan<float> scores, int k, ReadOnlySpan<int> exclude)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var n = scores.Length;
        var words = (n + 63) >> 6;
        var excluded = words <= 512 ? stackalloc ulong[words] : new ulong[words];
        excluded.Clear();
        foreach (var item in exclude)
        {
            if ((uint)item < (uint)n)
            {
                excluded[item >> 6] |= 1UL << item;
            }
        }

        // A min-heap on (score, -item) keeps the current best k; its root is the weakest of them.
        var heap = new int[Math.Min(k, n)];
        var size = 0;
        for (var item = 0; item < n && heap.Length > 0; item++)
        {
            var score = scores[item];
            if ((excluded[item >> 6] & (1UL << item)) != 0 || float.IsNaN(score))
            {
                continue;
            }

            if (size < heap.Length)
            {
                heap[size] = item;
                SiftUp(heap, size++, scores);
            }
            else if (Better(item, heap[0], scores))
            {
                heap[0] = item;
                SiftDown(heap, size, scores);
            }
        }

        var result = heap[..size];
        for (var end = size - 1; end > 0; end--)
        {
            (result[0], result[end]) = (result[end], result[0]);
            SiftDown(result, end, scores);
        }

        return result;
    }

    private static bool Better(int x, int y, ReadOnlySpan<float> scores)
        => scores[x] > scores[y] || (scores[x] == scores[y] && x < y);

    private static void SiftUp(int[] heap, int index, ReadOnlySpan<float> scores)
    {
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (!Better(heap[parent], heap[index], scores))
            {
                break;
            }

            (heap[parent], heap[index]) = (heap[index], heap[parent]);
            index = parent;
        }
    }

    private static void SiftDown(int[] heap, int size, ReadOnlySpan<float> scores)
    {
        var index = 0;
        while (true)
        {
            var weakest = index;
            var left = (2 * index) + 1;
            if (left < size && Better(heap[weakest], heap[left], scores))
            {
                weakest = left;
            }

            if (left + 1 < size && Better(heap[weakest], heap[left + 1], scores))
            {
                weakest = left + 1;
            }

            if (weakest == index)
            {
                return;
            }

            (heap[weakest], heap[index]) = (heap[index], heap[weakest]);
            index = weakest;
        }
    }
}
