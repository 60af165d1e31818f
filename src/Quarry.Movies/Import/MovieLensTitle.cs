using System.Globalization;
using System.Text.RegularExpressions;

namespace Quarry.Movies.Import;

/// <summary>Splits MovieLens titles such as "American President, The (1995)" into the title text and the year.</summary>
internal static partial class MovieLensTitle
{
    public static (string Title, int? Year) Parse(string raw)
    {
        var match = TrailingYear().Match(raw);
        if (!match.Success)
        {
            return (raw.Trim(), null);
        }

        var title = match.Groups["title"].Value.Trim();
        // A title that is only "(1995)" keeps its text rather than becoming empty.
        return title.Length == 0
            ? (raw.Trim(), null)
            : (title, int.Parse(match.Groups["year"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    // The year may be a range such as "(2006-2007)"; its first year is the release year.
    [GeneratedRegex(@"^(?<title>.*?)\s*\((?<year>\d{4})(?:\s*[-–]\s*\d{0,4})?\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingYear();
}
