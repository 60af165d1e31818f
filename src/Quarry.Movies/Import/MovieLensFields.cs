using System.Globalization;

namespace Quarry.Movies.Import;

/// <summary>Field parsing with errors that name the file, the line and the field.</summary>
internal readonly record struct MovieLensFields(string File, long Line)
{
    public int Id(ReadOnlySpan<char> text, string field) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw Invalid($"{field} '{text}' is not a non-negative integer");

    public long Timestamp(ReadOnlySpan<char> text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"timestamp '{text}' is not a non-negative integer (Unix seconds)");

    public float Rating(ReadOnlySpan<char> text) =>
        float.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0.5f and <= 5f
            ? value
            : throw Invalid($"rating '{text}' is not a number from 0.5 to 5");

    public InvalidDataException Invalid(string problem) => new($"{File} line {Line}: {problem}.");

    public InvalidDataException FieldCount(int found, int expected, string layout) =>
        Invalid($"expected {expected} fields ({layout}), found {found}");

    public InvalidDataException UnknownMovie(int movie, string catalogFile) =>
        Invalid($"movie {movie} is not in {catalogFile}");
}
