namespace Quarry.Learn.Linear;

/// <summary>The leading eigenpairs of a symmetric positive semi-definite matrix.</summary>
/// <param name="Count">How many pairs were found: at most the number asked for, fewer when the matrix has lower rank.</param>
/// <param name="Values">The eigenvalues, descending.</param>
/// <param name="Vectors">n×Count row-major: column c is the unit eigenvector of Values[c].</param>
public sealed record Eigenpairs(int Count, double[] Values, float[] Vectors);

/// <summary>Leading eigenpairs by block subspace (orthogonal) iteration on <see cref="Sgemm"/> with a final Rayleigh–Ritz step.</summary>
public static class SubspaceIteration
{
    /// <summary>Ritz values at or below this fraction of the largest are numerically zero and not returned.</summary>
    private const double ZeroTolerance = 1e-6;

    /// <summary>
    /// The <paramref name="k"/> largest eigenpairs of the n×n row-major symmetric positive semi-definite
    /// <paramref name="matrix"/> (all of it is read). A seeded random block of b = min(n, k + max(32, k/4)) columns is
    /// multiplied by the matrix and re-orthonormalised (<see cref="CholeskyQr"/>) <paramref name="iterations"/> times; the
    /// leading k Ritz pairs of the last block are returned. Eigenvector j converges like (λ_{b+1}/λ_j)^iterations, so the
    /// oversampling makes the top k accurate even without a gap at k. Costs about (iterations + 1)·2n²b flops in the packed kernel.
    /// </summary>
    public static Eigenpairs Leading(ReadOnlySpan<float> matrix, int n, int k, int iterations, int seed = 1, int threads = 2, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (matrix.Length < (long)n * n)
        {
            throw new ArgumentException($"matrix needs {n}×{n} elements", nameof(matrix));
        }

        if (n == 0)
        {
            return new Eigenpairs(0, [], []);
        }

        var b = Math.Min(n, k + Math.Max(32, k / 4));
        var random = new Random(seed);
        var basis = new float[n * b];
        var product = new float[n * b];
        Refill(basis, n, b, random, all: true);
        CholeskyQr.Orthonormalize(basis, n, b, threads: threads);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            Sgemm.Multiply(n, b, n, matrix, n, false, basis, b, false, product, b, threads: threads);
            (basis, product) = (product, basis);
            if (CholeskyQr.Orthonormalize(basis, n, b, threads: threads) < b && iteration < iterations - 1)
            {
                // Fresh directions for columns that collapsed; if the matrix has lower rank they collapse again.
                Refill(basis, n, b, random, all: false);
            }
        }

        // Rayleigh–Ritz: H = Qᵀ·A·Q, whose eigenvectors W rotate Q into the Ritz vectors Q·W.
        Sgemm.Multiply(n, b, n, matrix, n, false, basis, b, false, product, b, threads: threads);
        var projected = new float[b * b];
        Sgemm.Multiply(b, b, n, basis, b, true, product, b, false, projected, b, threads: threads);
        var h = new double[b * b];
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                h[i * b + j] = 0.5 * ((double)projected[i * b + j] + projected[j * b + i]);
            }
        }

        var theta = new double[b];
        var w = new double[b * b];
        SymmetricEigen.Decompose(h, b, theta, w);
        var count = 0;
        while (count < Math.Min(k, b) && theta[count] > ZeroTolerance * theta[0])
        {
            count++;
        }

        var rotation = new float[b * count];
        for (var i = 0; i < b; i++)
        {
            for (var c = 0; c < count; c++)
            {
                rotation[i * count + c] = (float)w[i * b + c];
            }
        }

        var vectors = new float[n * count];
        Sgemm.Multiply(n, count, b, basis, b, false, rotation, count, false, vectors, count, threads: threads);
        return new Eigenpairs(count, theta[..count], vectors);
    }

    /// <summary>Fills every column (or only the all-zero ones) of the n×b block with standard normal draws.</summary>
    private static void Refill(float[] block, int n, int b, Random random, bool all)
    {
        for (var c = 0; c < b; c++)
        {
            var empty = true;
            for (var r = 0; r < n && empty && !all; r++)
            {
                empty = block[r * b + c] == 0f;
            }

            if (!all && !empty)
            {
                continue;
            }

            for (var r = 0; r < n; r++)
            {
                // Box–Muller: Gaussian columns make the start independent of the basis the matrix is written in.
                var u = 1.0 - random.NextDouble();
                block[r * b + c] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
            }
        }
    }
}
