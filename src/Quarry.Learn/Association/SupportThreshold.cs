namespace Quarry.Learn.Association;

/// <summary>Converts a user-facing minimum support (fraction or absolute count) into a transaction count.</summary>
public static class SupportThreshold
{
    /// <summary>
    /// A value in (0, 1) is a fraction of <paramref name="transactionCount"/>, rounded up (at least 1);
    /// a value of 1 or more is an absolute count and must be a whole number.
    /// </summary>
    public static int ToCount(double value, int transactionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transactionCount);
        if (double.IsNaN(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Minimum support must be a fraction in (0, 1) or a whole count >= 1.");
        }

        if (value < 1)
        {
            // Round away the binary noise of products such as 0.001 * 88162 before taking the ceiling.
            var scaled = Math.Round(value * transactionCount, 9);
            return Math.Max(1, (int)Math.Ceiling(scaled));
        }

        if (value > int.MaxValue || value != Math.Floor(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A minimum support of 1 or more is an absolute transaction count and must be a whole number up to int.MaxValue.");
        }

        return (int)value;
    }
}
