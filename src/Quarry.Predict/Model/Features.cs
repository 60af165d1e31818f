using Quarry.Learn.Tabular;

namespace Quarry.Predict.Model;

/// <summary>The eight features, in order, with the values a measurement can plausibly take.</summary>
public static class Features
{
    /// <summary>Feature names in column order.</summary>
    public static IReadOnlyList<string> Names => DiabetesCsv.FeatureNames;

    /// <summary>Inclusive plausible range of each feature; values outside are refused, not clipped.</summary>
    public static IReadOnlyList<(float Min, float Max)> Ranges { get; } =
    [
        (0, 30), (0, 500), (0, 300), (0, 200), (0, 2000), (0, 100), (0, 5), (0, 130),
    ];

    /// <summary>Why <paramref name="row"/> cannot be scored, or null when it can.</summary>
    public static string? Check(ReadOnlySpan<float> row, int index)
    {
        if (row.Length != Names.Count)
        {
            return $"rows[{index}] has {row.Length} values; each row needs {Names.Count}: {string.Join(", ", Names)}.";
        }

        for (var i = 0; i < row.Length; i++)
        {
            var (min, max) = Ranges[i];
            if (!float.IsFinite(row[i]) || row[i] < min || row[i] > max)
            {
                return $"rows[{index}]: {Names[i]} = {row[i]} is outside {min}..{max}.";
            }
        }

        return null;
    }
}
