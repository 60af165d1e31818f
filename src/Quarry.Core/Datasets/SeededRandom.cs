namespace Quarry.Core.Datasets;

/// <summary>A small xoshiro256** generator whose sequence for a seed never changes between runtimes.</summary>
public sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SeededRandom(long seed)
    {
        // SplitMix64 spreads the seed over the whole state, as the xoshiro authors recommend.
        var x = (ulong)seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A value in [0, <paramref name="max"/>).</summary>
    public int Next(int max) => (int)Math.BigMul(NextUInt64(), (ulong)max, out _);

    /// <summary>A value in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>A value in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal value (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u = 1.0 - NextDouble();
        var v = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>An index drawn with probability proportional to the weights whose running sums are <paramref name="cumulative"/>.</summary>
    public int Sample(ReadOnlySpan<double> cumulative)
    {
        var target = NextDouble() * cumulative[^1];
        var lo = 0;
        var hi = cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (cumulative[mid] > target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
