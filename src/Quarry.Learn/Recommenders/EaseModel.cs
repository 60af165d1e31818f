using System.Numerics.Tensors;
using Quarry.Learn.Linear;

namespace Quarry.Learn.Recommenders;

/// <summary>
/// How EASE is fitted. With item counts c, D = diag(c)^ItemExponent, G = D⁻¹·Xᵀ·diag(w)·X·D⁻¹, w_u = |items of u|^(−UserExponent),
/// ρ = Dropout / (1 − Dropout) and Λ = λI + ρ·diag(G): P = (G + Λ)⁻¹, B̃ = I − P·diag(γ), and the served weights are
/// B = (D⁻¹·B̃·D + α·L)·diag(c)^PopularityExponent with a zero diagonal. γ_j = 1/P_jj forces diag(B̃) = 0 (EASE, EDLAE); a
/// DiagonalBound ξ > 0 only asks diag(B̃) ≤ ξ (RDLAE), giving γ_j = max(Λ_jj, (1 − ξ)/P_jj). L is GF-CF's ideal low-pass
/// filter (Shen et al., CIKM 2021): with R̃ = diag(|items of u|)^(−½)·X·diag(c)^(−½) and V the top LowRank eigenvectors of
/// R̃ᵀR̃, L = diag(c)^(−½)·V·Vᵀ·diag(c)^(½); α is LowRankWeight. All extras at 0 give plain EASE.
/// </summary>
public sealed record EaseOptions(
    float Lambda, float Dropout = 0f, float UserExponent = 0f, float ItemExponent = 0f, float PopularityExponent = 0f, float DiagonalBound = 0f,
    int LowRank = 0, float LowRankWeight = 0f)
{
    /// <summary>The settings chosen on validation splits of MovieLens (docs/recommenders.md).</summary>
    public static EaseOptions Recommended { get; } =
        new(400f, Dropout: 0.45f, UserExponent: 0.5f, PopularityExponent: -0.2f, DiagonalBound: 0.15f, LowRank: 48, LowRankWeight: 0.05f);
}

/// <summary>The EASE linear item-item model: score(j) = Σ_{i in history} B[i,j], B dense with zero diagonal.</summary>
public sealed class EaseModel : IRecommender
{
    /// <summary>Largest catalogue whose Items×Items weights fit in one array.</summary>
    public const int MaxItems = 46_340;

    /// <summary>Subspace iterations for the low-rank term: on MovieLens its top-64 projector is then within 2.5% of a 60-iteration solve.</summary>
    private const int LowRankIterations = 16;

    private readonly float[] _weights;

    private EaseModel(int items, float lambda, float[] weights)
    {
        Items = items;
        Lambda = lambda;
        _weights = weights;
    }

    /// <inheritdoc/>
    public int Items { get; }

    /// <summary>The L2 regularisation the model was trained with.</summary>
    public float Lambda { get; }

    /// <summary>Items×Items row-major B with zero diagonal.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Trains plain EASE with L2 regularisation <paramref name="lambda"/>.</summary>
    public static EaseModel Train(InteractionMatrix data, float lambda, IProgress<double>? progress = null, CancellationToken ct = default)
        => Train(data, new EaseOptions(lambda), progress, ct);

    /// <summary>
    /// Trains EASE: B = I − P·diag(1/diag P). Items nobody liked get all-zero rows and columns and are left out of the inverse,
    /// which is exact because their rows and columns of the regularised Gram matrix are diagonal.
    /// </summary>
    public static EaseModel Train(InteractionMatrix data, EaseOptions options, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Lambda);
        if (!(options.Dropout >= 0f && options.Dropout < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "dropout must be in [0, 1)");
        }

        if (!(options.DiagonalBound >= 0f && options.DiagonalBound < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "diagonal bound must be in [0, 1)");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.LowRank, nameof(options));
        if (!float.IsFinite(options.LowRankWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "low-rank weight must be finite");
        }

        var n = data.Items;
        if (n > MaxItems)
        {
            throw new ArgumentException($"{n} items need a {n}×{n} dense matrix; above {MaxItems} items use {nameof(ItemKnnModel)}", nameof(data));
        }

        var counts = data.ItemCounts();
        var index = new int[n];
        var active = new List<int>();
        for (var i = 0; i < n; i++)
        {
            index[i] = counts[i] > 0 ? active.Count : -1;
            if (counts[i] > 0)
            {
                active.Add(i);
            }
        }

        var m = active.Count;
        var weights = new float[(long)n * n];
        var compact = weights.AsSpan(0, m * m);
        var lowPass = options.LowRank > 0 && options.LowRankWeight != 0f && m > 0
            ? LowPassBasis(data, index, compact, counts, active, options.LowRank, ct)
            : null;
        var start = lowPass is null ? 0.0 : 0.3;
        if (lowPass is not null)
        {
            progress?.Report(start);
        }

        ItemGram.AccumulateLower(data, index, compact, m, options.UserExponent);
        // Normalising D to keep the Gram trace unchanged lets λ mean the same for every ItemExponent.
        double trace = 0, scaledTrace = 0;
        foreach (var item in active)
        {
            trace += counts[item];
            scaledTrace += Math.Pow(counts[item], 1 - (2.0 * options.ItemExponent));
        }

        var norm = m == 0 ? 1f : (float)Math.Sqrt(trace / scaledTrace);
        var inputScale = new float[m];
        var outputScale = new float[m];
        for (var a = 0; a < m; a++)
        {
            inputScale[a] = norm * MathF.Pow(counts[active[a]], -options.ItemExponent);
            outputScale[a] = MathF.Pow(counts[active[a]], options.ItemExponent + options.PopularityExponent) / norm;
        }

        var emphasis = options.Dropout / (1f - options.Dropout);
        var penalty = new float[m];
        for (var a = 0; a < m; a++)
        {
            var row = compact.Slice(a * m, a + 1);
            if (options.ItemExponent != 0f)
            {
                TensorPrimitives.Multiply(row, inputScale.AsSpan(0, a + 1), row);
                TensorPrimitives.Multiply(row, inputScale[a], row);
            }

            penalty[a] = (row[a] * emphasis) + options.Lambda;
            row[a] = (row[a] * (1f + emphasis)) + options.Lambda;
        }

        progress?.Report(start + 0.05);
        ct.ThrowIfCancellationRequested();
        var inverseProgress = progress is null ? null : new ScaledProgress(progress, start + 0.05, 0.9 - start);
        SpdInverse.Invert(compact, m, inverseProgress, ct);
        ToWeights(compact, m, inputScale, outputScale, penalty, options.DiagonalBound);
        if (lowPass is not null)
        {
            AddLowPass(compact, m, lowPass, counts, active, options.LowRankWeight, options.PopularityExponent);
        }

        Expand(weights, n, active);
        progress?.Report(1.0);
        return new EaseModel(n, options.Lambda, weights);
    }

    /// <summary>Wraps trained weights, e.g. loaded from an artifact.</summary>
    public static EaseModel FromWeights(int items, float lambda, float[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.LongLength != (long)items * items)
        {
            throw new ArgumentException($"weights needs {items}×{items} elements, has {weights.LongLength}", nameof(weights));
        }

        return new EaseModel(items, lambda, weights);
    }

    /// <summary>B[from, to]: how much liking <paramref name="from"/> adds to the score of <paramref name="to"/>.</summary>
    public float Weight(int from, int to)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)from, (uint)Items, nameof(from));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)to, (uint)Items, nameof(to));
        return _weights[(long)from * Items + to];
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
            TensorPrimitives.Add(scores, _weights.AsSpan(item * Items, Items), scores);
        }
    }

    /// <summary>
    /// Turns P into B in place: B[i,j] = rowScale[i] · (−P[i,j] · γ_j) · columnScale[j] with γ_j = 1/P[j,j], or
    /// max(penalty[j], (1 − bound)/P[j,j]) when the diagonal is only bounded; the diagonal is served as zero because
    /// an item a user already has is never ranked.
    /// </summary>
    private static void ToWeights(Span<float> p, int m, float[] rowScale, float[] columnScale, float[] penalty, float bound)
    {
        var scale = new float[m];
        for (var j = 0; j < m; j++)
        {
            var diagonal = p[j * m + j];
            scale[j] = bound == 0f ? -columnScale[j] / diagonal : -columnScale[j] * MathF.Max(penalty[j], (1f - bound) / diagonal);
        }

        for (var i = 0; i < m; i++)
        {
            var row = p.Slice(i * m, m);
            TensorPrimitives.Multiply(row, scale, row);
            TensorPrimitives.Multiply(row, rowScale[i], row);
            row[i] = 0f;
        }
    }

    /// <summary>
    /// GF-CF's basis: the top <paramref name="rank"/> eigenvectors of R̃ᵀR̃ = diag(c)^(−½)·Xᵀ·diag(|items of u|)⁻¹·X·diag(c)^(−½)
    /// over the active items, built in <paramref name="scratch"/> (m×m, cleared again on return) and found by subspace iteration.
    /// </summary>
    private static Eigenpairs LowPassBasis(InteractionMatrix data, int[] index, Span<float> scratch, int[] counts, List<int> active, int rank, CancellationToken ct)
    {
        var m = active.Count;
        // User exponent 1 is GF-CF's D_U⁻¹; the trace-preserving scale AccumulateLower applies does not move eigenvectors.
        ItemGram.AccumulateLower(data, index, scratch, m, 1f);
        var scale = new float[m];
        for (var a = 0; a < m; a++)
        {
            scale[a] = 1f / MathF.Sqrt(counts[active[a]]);
        }

        // Normalise the lower triangle and mirror it, in tiles so the column writes stay in cache.
        const int tile = 64;
        for (var i0 = 0; i0 < m; i0 += tile)
        {
            for (var j0 = 0; j0 <= i0; j0 += tile)
            {
                for (var i = i0; i < Math.Min(i0 + tile, m); i++)
                {
                    for (var j = j0; j < Math.Min(j0 + tile, i + 1); j++)
                    {
                        var value = scratch[i * m + j] * scale[i] * scale[j];
                        scratch[i * m + j] = value;
                        scratch[j * m + i] = value;
                    }
                }
            }
        }

        var basis = SubspaceIteration.Leading(scratch, m, Math.Min(rank, m), LowRankIterations, ct: ct);
        scratch.Clear();
        return basis;
    }

    /// <summary>
    /// B[i,j] += α · c_i^(−½) · (V·Vᵀ)[i,j] · c_j^(½ + popularityExponent) as one rank-k product, then the diagonal is zeroed again.
    /// </summary>
    private static void AddLowPass(Span<float> b, int m, Eigenpairs basis, int[] counts, List<int> active, float weight, float popularityExponent)
    {
        var k = basis.Count;
        var left = new float[m * k];
        var right = new float[m * k];
        for (var a = 0; a < m; a++)
        {
            var count = counts[active[a]];
            var row = basis.Vectors.AsSpan(a * k, k);
            TensorPrimitives.Multiply(row, 1f / MathF.Sqrt(count), left.AsSpan(a * k, k));
            TensorPrimitives.Multiply(row, MathF.Pow(count, 0.5f + popularityExponent), right.AsSpan(a * k, k));
        }

        Sgemm.Multiply(m, m, k, left, k, false, right, k, true, b, m, weight, accumulate: true);
        for (var a = 0; a < m; a++)
        {
            b[a * m + a] = 0f;
        }
    }

    /// <summary>Spreads the m×m compact matrix at the start of <paramref name="weights"/> to n×n in place; left-out rows and columns become zero.</summary>
    private static void Expand(float[] weights, int n, List<int> active)
    {
        var m = active.Count;
        if (m == n)
        {
            return;
        }

        // Walking backwards, every destination lies at or after its source, so no unread value is overwritten.
        for (var r = m - 1; r >= 0; r--)
        {
            var destination = (long)active[r] * n;
            for (var c = m - 1; c >= 0; c--)
            {
                weights[destination + active[c]] = weights[(long)r * m + c];
            }
        }

        var isActive = new bool[n];
        foreach (var item in active)
        {
            isActive[item] = true;
        }

        for (var row = 0; row < n; row++)
        {
            var span = weights.AsSpan(row * n, n);
            if (!isActive[row])
            {
                span.Clear();
                continue;
            }

            for (var col = 0; col < n; col++)
            {
                if (!isActive[col])
                {
                    span[col] = 0f;
                }
            }
        }
    }

    /// <summary>Reports progress synchronously, mapped into [offset, offset + scale].</summary>
    private sealed class ScaledProgress(IProgress<double> inner, double offset, double scale) : IProgress<double>
    {
        public void Report(double value) => inner.Report(offset + (scale * value));
    }
}
