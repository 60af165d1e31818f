using System.Text;

using Quarry.Core.Datasets;

namespace Quarry.Movies.Synthetic;

/// <summary>Plausible, unique movie titles ("The Silent Harbor", "Letters from Galway") and release years.</summary>
internal sealed class SyntheticTitles
{
    private static readonly string[] s_adjectives =
    [
        "Silent", "Broken", "Golden", "Last", "Hidden", "Crimson", "Lonely", "Distant", "Burning", "Frozen",
        "Secret", "Wild", "Quiet", "Forgotten", "Electric", "Hollow", "Midnight", "Restless", "Pale", "Savage",
        "Gentle", "Bitter", "Endless", "Scarlet", "Iron", "Velvet", "Stolen", "Eternal", "Little", "Dark",
        "Bright", "Northern", "Sudden", "Wicked", "Brave", "Crooked", "Falling", "Painted", "Rising", "Tender",
    ];

    private static readonly string[] s_nouns =
    [
        "Harbor", "River", "Garden", "Kingdom", "Mirror", "Summer", "Winter", "Station", "Voyage", "Promise",
        "Shadow", "Letter", "Island", "Highway", "Orchard", "Frontier", "Empire", "Lighthouse", "Carnival", "Desert",
        "Symphony", "Detective", "Stranger", "Witness", "Horizon", "Machine", "Dragon", "Circus", "Mountain", "Village",
        "Bridge", "Forest", "Signal", "Planet", "Heart", "Crown", "Tide", "Engine", "Window", "Storm",
        "Hunter", "Dancer", "Soldier", "Pilot", "Orphan", "Prophet", "Widow", "Sailor", "Thief", "Painter",
    ];

    private static readonly string[] s_places =
    [
        "Galway", "Marseille", "Tangier", "Lisbon", "Kyoto", "Havana", "Odessa", "Yukon", "Patagonia", "Bombay",
        "Santa Fe", "Budapest", "Casablanca", "Reno", "Siberia", "Naples", "Memphis", "Dublin", "Zanzibar", "Oslo",
    ];

    private static readonly string[] s_names =
    [
        "Maggie", "Henry", "Rosa", "Jack", "Eleanor", "Tom", "Clara", "Walter", "Ines", "Frank",
        "Lucy", "Oscar", "Vera", "Sam", "Nora", "Hugo", "Ada", "Leo", "Ruth", "Max",
    ];

    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public string Next(SeededRandom random)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var title = Compose(random);
            if (_used.Add(title))
            {
                return title;
            }
        }

        // A crowded catalog gets sequels, which are unique by construction of the loop.
        var basis = Compose(random);
        for (var part = 2; ; part++)
        {
            var sequel = $"{basis} {Numeral(part)}";
            if (_used.Add(sequel))
            {
                return sequel;
            }
        }
    }

    /// <summary>A release year from 1920 to 2020, most of them recent.</summary>
    public static int Year(SeededRandom random) =>
        Math.Clamp(2020 - (int)Math.Abs(22 * random.NextGaussian()), 1920, 2020);

    private static string Compose(SeededRandom random) => random.Next(7) switch
    {
        0 or 1 => $"The {Pick(s_adjectives, random)} {Pick(s_nouns, random)}",
        2 => $"The {Pick(s_nouns, random)} of {Pick(s_places, random)}",
        3 => $"The {Pick(s_nouns, random)} and the {Pick(s_nouns, random)}",
        4 => $"{Pick(s_names, random)}'s {Pick(s_nouns, random)}",
        5 => $"{Pick(s_adjectives, random)} {Pick(s_nouns, random)}, {Pick(s_adjectives, random)} {Pick(s_nouns, random)}",
        _ => $"{Pick(s_names, random)} in {Pick(s_places, random)}",
    };

    private static string Pick(string[] words, SeededRandom random) => words[random.Next(words.Length)];

    private static string Numeral(int n)
    {
        ReadOnlySpan<(int Value, string Symbol)> symbols = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
        if (n > 39)
        {
            return n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var numeral = new StringBuilder();
        foreach (var (value, symbol) in symbols)
        {
            while (n >= value)
            {
                numeral.Append(symbol);
                n -= value;
            }
        }

        return numeral.ToString();
    }
}
