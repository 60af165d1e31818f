namespace Quarry.Learn.Tabular;

/// <summary>Per-column centring and scaling to unit (population) standard deviation; a constant column is scaled by 1.</summary>
public sealed record Standardizer(float[] Means, float[] StdDevs)
{
    /// <summary>Fits means and standard deviations on the given rows only.</summary>
    public static Standardizer Fit(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0)
        {
            throw new ArgumentException("at least one row is needed", nameof(rows));
        }

        var columns = rows[0].Length;
        var means = new float[columns];
        var deviations = new float[columns];
        for (var c = 0; c < columns; c++)
        {
            double sum = 0;
            var min = float.PositiveInfinity;
            var max = float.NegativeInfinity;
            foreach (var row in rows)
            {
                if (row.Length != columns)
                {
                    throw new ArgumentException($"rows have different lengths ({row.Length} and {columns})", nameof(rows));
                }

                sum += row[c];
                min = Math.Min(min, row[c]);
                max = Math.Max(max, row[c]);
            }

            var mean = sum / rows.Length;
            double squares = 0;
            foreach (var row in rows)
            {
                var d = row[c] - mean;
                squares += d * d;
            }

            means[c] = (float)mean;
            // Rounding leaves a tiny non-zero spread on constant columns, so test the range instead.
            deviations[c] = min == max ? 1f : (float)Math.Sqrt(squares / rows.Length);
        }

        return new Standardizer(means, deviations);
    }

    /// <summary>Returns (row − mean) / std as a new array.</summary>
    public float[] Transform(ReadOnlySpan<float> row)
    {
        if (row.Length != Means.Length)
        {
            throw new ArgumentException($"row has {row.Length} values, the standardizer {Means.Length}", nameof(row));
        }

        var result = new float[row.Length];
        for (var c = 0; c < row.Length; c++)
        {
            result[c] = (row[c] - Means[c]) / StdDevs[c];
        }

        return result;
    }

    /// <summary>Transforms every row.</summary>
    public float[][] TransformAll(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new float[rows.Count][];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Transform(rows[i]);
        }

        return result;
    }
}
