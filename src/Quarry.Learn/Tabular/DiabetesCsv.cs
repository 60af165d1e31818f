using System.Globalization;

namespace Quarry.Learn.Tabular;

/// <summary>Reads the Pima Indians diabetes layout: eight numeric features then a 0/1 outcome, comma-separated.</summary>
public static class DiabetesCsv
{
    /// <summary>Feature names in column order.</summary>
    public static readonly string[] FeatureNames = ["pregnancies", "glucose", "blood_pressure", "skin_thickness", "insulin", "bmi", "diabetes_pedigree", "age"];

    private const int ColumnCount = 9;

    /// <summary>
    /// Reads all rows. The first non-blank line is a header when none of its fields is a number. Blank lines are skipped.
    /// Throws <see cref="InvalidDataException"/> naming the line and column for a wrong column count, a non-numeric or
    /// non-finite value, or an outcome other than 0 or 1.
    /// </summary>
    public static TabularData Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var features = new List<float[]>();
        var labels = new List<int>();
        var lineNumber = 0;
        var first = true;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != ColumnCount)
            {
                throw new InvalidDataException($"line {lineNumber}: expected {ColumnCount} comma-separated columns (8 features and the outcome), found {fields.Length}");
            }

            if (first)
            {
                first = false;
                if (fields.All(f => !TryParse(f, out _)))
                {
                    continue;
                }
            }

            var row = new float[FeatureNames.Length];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = Parse(fields[c], lineNumber, c);
            }

            var outcome = Parse(fields[^1], lineNumber, ColumnCount - 1);
            if (outcome is not (0f or 1f))
            {
                throw new InvalidDataException($"line {lineNumber}, column {ColumnCount} (outcome): '{fields[^1].Trim()}' must be 0 or 1");
            }

            features.Add(row);
            labels.Add((int)outcome);
        }

        if (features.Count == 0)
        {
            throw new InvalidDataException("no data rows");
        }

        return new TabularData([.. features], [.. labels]);
    }

    private static float Parse(string field, int line, int column)
    {
        var name = column < FeatureNames.Length ? FeatureNames[column] : "outcome";
        if (!TryParse(field, out var value))
        {
            throw new InvalidDataException($"line {line}, column {column + 1} ({name}): '{field.Trim()}' is not a number");
        }

        if (!float.IsFinite(value))
        {
            throw new InvalidDataException($"line {line}, column {column + 1} ({name}): '{field.Trim()}' is not a finite number");
        }

        return value;
    }

    private static bool TryParse(string field, out float value)
        => float.TryParse(field.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
