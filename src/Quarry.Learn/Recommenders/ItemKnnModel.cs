using Quarry.Learn.Linear;

namespace Quarry.Learn.Recommenders;

/// <summary>
/// Item-kNN: each item keeps its top-k neighbours by shrunk cosine similarity c_ij / (√c_i·√c_j + shrink);
/// score(j) = Σ_{i in history} W[i,j]. Memory is O(items × k), so it suits catalogs too large for a dense item-item matrix.
/// </summary>
public sealed class ItemKnnModel : IRecommender
{
    private readonly int[] _offsets;
    private readonly int[] _items;
    private readonly float[] _weights;

    private ItemKnnModel(int items, int neighbours, int[] offsets, int[] neighbourItems, float[] weights)
    {
        Items = items;
        Neighbours = neighbours;
        _offsets = offsets;
        _items = neighbourItems;
        _weights = weights;
    }

    /// <inheritdoc/>
    public int Items { get; }

    /// <summary>Largest number of neighbours kept per item.</summary>
    public int Neighbours { get; }

    /// <summary>Computes co-occurrences item by item (O(Σ_u |items of u|²) in total) on at most two threads.</summary>
    public static ItemKnnModel Train(InteractionMatrix data, int neighbours = 100, float shrink = 10, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(neighbours);
        ArgumentOutOfRangeException.ThrowIfNegative(shrink);
        var n = data.Items;
        var (itemOffsets, itemUsers) = data.ByItem();
        var norms = new float[n];
        for (var i = 0; i < n; i++)
        {
            norms[i] = MathF.Sqrt(itemOffsets[i + 1] - itemOffsets[i]);
        }

        var rows = new (int[] Items, float[] Weights)[n];
        var done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Sgemm.MaxThreads, CancellationToken = ct };
        Parallel.For(0, n, options, () => new Workspace(n),
            (item, _, workspace) =>
            {
                rows[item] = workspace.Neighbours(data, (int)item, itemOffsets, itemUsers, norms, neighbours, shrink);
                var finished = Interlocked.Increment(ref done);
                if (progress is not null && finished % 256 == 0)
                {
                    progress.Report((double)finished / n);
                }

                return workspace;
            },
            _ => { });

        var offsets = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            offsets[i + 1] = offsets[i] + rows[i].Items.Length;
        }

        var allItems = new int[offsets[n]];
        var allWeights = new float[offsets[n]];
        for (var i = 0; i < n; i++)
        {
            rows[i].Items.CopyTo(allItems, offsets[i]);
            rows[i].Weights.CopyTo(allWeights, offsets[i]);
        }

        progress?.Report(1.0);
        return new ItemKnnModel(n, neighbours, offsets, allItems, allWeights);
    }

    /// <summary>CSR of neighbours: row i lists i's neighbours ascending with their weights.</summary>
    public (int[] Offsets, int[] Items, float[] Weights) Export() => ((int[])_offsets.Clone(), (int[])_items.Clone(), (float[])_weights.Clone());

    /// <summary>Rebuilds a model from <see cref="Export"/>'s arrays.</summary>
    public static ItemKnnModel Import(int items, int neighbours, int[] offsets, int[] neighbourItems, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(neighbourItems);
        ArgumentNullException.ThrowIfNull(weights);
        if (offsets.Length != items + 1 || offsets[0] != 0 || offsets[items] != neighbourItems.Length || weights.Length != neighbourItems.Length)
        {
            throw new ArgumentException("offsets, items and weights do not form a CSR matrix with one row per item");
        }

        for (var i = 0; i < items; i++)
        {
            if (offsets[i + 1] < offsets[i] || offsets[i + 1] - offsets[i] > neighbours)
            {
                throw new ArgumentException($"row {i} has a bad length", nameof(offsets));
            }

            for (var p = offsets[i]; p < offsets[i + 1]; p++)
            {
                if ((uint)neighbourItems[p] >= (uint)items || (p > offsets[i] && neighbourItems[p] <= neighbourItems[p - 1]))
                {
                    throw new ArgumentException($"row {i} is not ascending within 0..{items - 1}", nameof(neighbourItems));
                }
            }
        }

        return new ItemKnnModel(items, neighbours, offsets, neighbourItems, weights);
    }

    /// <summary>W[from, to]; 0 when <paramref name="to"/> is not among <paramref name="from"/>'s neighbours.</summary>
    public float Weight(int from, int to)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)from, (uint)Items, nameof(from));
        var start = _offsets[from];
        var at = Array.BinarySearch(_items, start, _offsets[from + 1] - start, to);
        return at >= 0 ? _weights[at] : 0f;
    }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> history, Span<float> scores)
    {
        if (scores.Length != Items)
        {
            throw new ArgumentException($"scores needs {Items} elements", nameof(scores));
        }

        scores.Clear();
        foreach (var item in history)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)item, (uint)Items, nameof(history));
            for (var p = _offsets[item]; p < _offsets[item + 1]; p++)
            {
                scores[_items[p]] += _weights[p];
            }
        }
    }

    /// <summary>Per-thread co-occurrence counters, reset after each item by walking the touched list.</summary>
    private sealed class Workspace(int items)
    {
        private readonly int[] _counts = new int[items];
        private readonly int[] _touched = new int[items];
        private readonly float[] _similarity = new float[items];

        public (int[] Items, float[] Weights) Neighbours(InteractionMatrix data, int item, int[] itemOffsets, int[] itemUsers, float[] norms, int k, float shrink)
        {
            var touched = 0;
            for (var p = itemOffsets[item]; p < itemOffsets[item + 1]; p++)
            {
                foreach (var other in data.ItemsOf(itemUsers[p]))
                {
                    if (other != item && _counts[other]++ == 0)
                    {
                        _touched[touched++] = other;
                    }
                }
            }

            for (var t = 0; t < touched; t++)
            {
                var other = _touched[t];
                _similarity[other] = _counts[other] / ((norms[item] * norms[other]) + shrink);
            }

            var best = SelectBest(_touched.AsSpan(0, touched), k);
            Array.Sort(best);
            var weights = new float[best.Length];
            for (var t = 0; t < best.Length; t++)
            {
                weights[t] = _similarity[best[t]];
            }

            for (var t = 0; t < touched; t++)
            {
                _counts[_touched[t]] = 0;
            }

            return (best, weights);
        }

        private int[] SelectBest(Span<int> candidates, int k)
        {
            if (candidates.Length <= k)
            {
                return candidates.ToArray();
            }

            var similarity = _similarity;
            var sorted = candidates.ToArray();
            Array.Sort(sorted, (x, y) => similarity[y] != similarity[x] ? similarity[y].CompareTo(similarity[x]) : x.CompareTo(y));
            return sorted[..k];
        }
    }
}
