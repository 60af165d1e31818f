namespace Quarry.Movies.Synthetic;

/// <summary>xoshiro256** seeded by SplitMix64: the same seed gives the same sequence on every runtime.</summary>
internal sealed class SyntheticRandom
{
    private ulong _a;
    private ulong _b;
    private ulong _c;
    private ulong _d;

    public SyntheticRandom(long seed)
    {
        var state = (ulong)seed;
        _a = Mix(ref state);
        _b = Mix(ref state);
        _c = Mix(ref state);
        _d = Mix(ref state);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_b * 5, 7) * 9;
        var shifted = _b << 17;
        _c ^= _a;
        _d ^= _b;
        _b ^= _c;
        _a ^= _d;
        _c ^= shifted;
        _d = ulong.RotateLeft(_d, 45);
        return result;
    }

    /// <summary>A value in [0, <paramref name="max"/>).</summary>
    public int Next(int max) => (int)Math.BigMul(NextUInt64(), (ulong)max, out _);

    /// <summary>A value in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal value (Box–Muller, one of the pair).</summary>
    public double NextGaussian()
    {
        var u = 1.0 - NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * NextDouble());
    }

    /// <summary>An index drawn with probability proportional to the weights whose running sums are <paramref name="cumulative"/>.</summary>
    public int Pick(ReadOnlySpan<double> cumulative)
    {
        var target = NextDouble() * cumulative[^1];
        var index = cumulative.BinarySearch(target);
        // BinarySearch gives the complement of the first larger element when the target is not present.
        index = index < 0 ? ~index : index + 1;
        return Math.Min(index, cumulative.Length - 1);
    }

    private static ulong Mix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
