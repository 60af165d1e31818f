using Quarry.Learn.Linear;

namespace Quarry.Learn.Recommenders;

/// <summary>The item co-occurrence (Gram) matrix XᵀX of binary implicit feedback.</summary>
public static class ItemGram
{
    /// <summary>Full Items×Items counts by sparse accumulation over each user's item pairs: O(Σ |items of u|²).</summary>
    public static float[] Sparse(InteractionMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var n = data.Items;
        var gram = new float[(long)n * n];
        for (var u = 0; u < data.Users; u++)
        {
            var items = data.ItemsOf(u);
            foreach (var i in items)
            {
                var row = gram.AsSpan(i * n, n);
                foreach (var j in items)
                {
                    row[j] += 1f;
                }
            }
        }

        return gram;
    }

    /// <summary>Full Items×Items counts as the dense product XᵀX on <see cref="Sgemm"/>: O(items² · users).</summary>
    public static float[] Dense(InteractionMatrix data, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(data);
        var n = data.Items;
        var users = data.Users;
        var transposed = new float[(long)n * users];
        for (var u = 0; u < users; u++)
        {
            foreach (var i in data.ItemsOf(u))
            {
                transposed[i * users + u] = 1f;
            }
        }

        var gram = new float[(long)n * n];
        Sgemm.Multiply(n, n, users, transposed, users, false, transposed, users, true, gram, n, threads: threads);
        return gram;
    }

    /// <summary>
    /// Lower triangle of Xᵀ·diag(w)·X restricted to <paramref name="index"/> (item → compact row, −1 when left out), stride m,
    /// with user weights w_u ∝ |items of u|^(−userExponent), scaled so the trace (total count) is unchanged and λ keeps its meaning.
    /// </summary>
    internal static void AccumulateLower(InteractionMatrix data, int[] index, Span<float> gram, int m, float userExponent)
    {
        double total = 0, weighted = 0;
        for (var u = 0; u < data.Users; u++)
        {
            var length = data.ItemsOf(u).Length;
            total += length;
            weighted += length * Math.Pow(Math.Max(length, 1), -userExponent);
        }

        var scale = weighted > 0 ? total / weighted : 1.0;
        var compact = new int[data.Items];
        for (var u = 0; u < data.Users; u++)
        {
            var weight = userExponent == 0f ? 1f : (float)(scale * Math.Pow(Math.Max(data.ItemsOf(u).Length, 1), -userExponent));
            var count = 0;
            foreach (var item in data.ItemsOf(u))
            {
                if (index[item] >= 0)
                {
                    compact[count++] = index[item];
                }
            }

            // Items are ascending and the index is monotone, so compact rows are ascending too.
            for (var a = 0; a < count; a++)
            {
                var row = gram.Slice(compact[a] * m, m);
                for (var b = 0; b <= a; b++)
                {
                    row[compact[b]] += weight;
                }
            }
        }
    }
}
