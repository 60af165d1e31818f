using Quarry.Core.Datasets;

namespace Quarry.Playlists.Data;

/// <summary>Synthetic genres, artists and songs, with Zipf-like popularity between and within genres.</summary>
internal sealed class SongCatalog
{
    // Tuned so that the default generator options give tens of rules per antecedent size at 2.5% / 0.7.
    private const double GenreSkew = 0.6;
    private const double SongSkew = 1.2;
    private const int MinGenreSize = 60;
    private const int MaxGenreSize = 140;

    private static readonly string[] s_adjectives =
    [
        "Golden", "Silver", "Midnight", "Electric", "Broken", "Wild", "Quiet", "Neon", "Lonely", "Burning",
        "Velvet", "Frozen", "Crimson", "Hollow", "Endless", "Sweet", "Restless", "Paper", "Bitter", "Northern",
        "Lucky", "Silent", "Summer", "Faded", "Blue", "Little", "Crystal", "Heavy", "Distant", "Secret",
    ];

    private static readonly string[] s_nouns =
    [
        "Heart", "River", "Highway", "Moon", "Fire", "Rain", "Dream", "City", "Ocean", "Shadow",
        "Light", "Road", "Sky", "Star", "Garden", "Mirror", "Echo", "Storm", "Window", "Train",
        "Morning", "Stranger", "Kingdom", "Letter", "Island", "Wolf", "Radio", "Thunder", "Horizon", "Daydream",
        "Avenue", "Lullaby", "Harbor", "Satellite", "Diamond", "Feather", "Canyon", "Lantern", "Tide", "Machine",
    ];

    private static readonly string[] s_plurals =
    [
        "Foxes", "Rivers", "Kings", "Ghosts", "Lions", "Wolves", "Saints", "Strangers", "Lovers", "Machines",
        "Sparrows", "Tigers", "Pilots", "Dreamers", "Giants", "Comets",
    ];

    private static readonly string[] s_firstNames =
    [
        "Ava", "Leo", "Mia", "Jack", "Nora", "Eli", "Zoe", "Max", "Ruby", "Theo",
        "Ivy", "Sam", "Luna", "Owen", "Iris", "Felix", "Maya", "Jude", "Cleo", "Hugo",
    ];

    private static readonly string[] s_lastNames =
    [
        "Hart", "Rivers", "Stone", "Vale", "Brooks", "Marsh", "Reed", "Frost", "Wilde", "Hayes",
        "Blake", "Quinn", "Monroe", "Lane", "Cross", "Fox", "Grey", "Knight", "West", "Shaw",
    ];

    private static readonly string[] s_verbs =
    [
        "Chasing", "Holding", "Dancing in", "Waiting for", "Running from", "Falling for", "Dreaming of", "Calling",
        "Leaving", "Finding", "Burning", "Losing",
    ];

    private static readonly string[] s_suffixes = [" (Acoustic)", " (Live)", " (Remix)", " - Radio Edit", " (Demo)"];

    private readonly double[] _genreCumulative;
    private readonly double[][] _songCumulative;
    private readonly double[] _globalCumulative;

    public SongCatalog(int songCount, SeededRandom random)
    {
        var genres = new List<Genre>();
        var artistNames = new HashSet<string>(StringComparer.Ordinal);
        var songs = new List<Song>(songCount);
        while (songs.Count < songCount)
        {
            var size = Math.Min(random.Next(MinGenreSize, MaxGenreSize + 1), songCount - songs.Count);
            var artists = new Performer[Math.Max(1, size / random.Next(5, 12))];
            for (var a = 0; a < artists.Length; a++)
            {
                var name = Unique(artistNames, () => ArtistName(random));
                artists[a] = new Performer(name, [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => AlbumName(random))], []);
            }

            var ids = new int[size];
            for (var i = 0; i < size; i++)
            {
                var artist = artists[random.Next(artists.Length)];
                var title = Unique(artist.Titles, () => SongTitle(random));
                ids[i] = songs.Count;
                songs.Add(new Song($"{artist.Name} - {title}", artist.Name, random.Pick(artist.Albums), random.Next(120_000, 420_000)));
            }

            genres.Add(new Genre(ids));
        }

        Genres = [.. genres];
        Songs = [.. songs];
        _genreCumulative = Cumulative(Genres.Length, GenreSkew);
        _songCumulative = [.. Genres.Select(g => Cumulative(g.SongIds.Length, SongSkew))];

        // Overall popularity is the genre's share times the song's share within the genre.
        var global = new double[Songs.Length];
        var running = 0.0;
        for (var g = 0; g < Genres.Length; g++)
        {
            var genreWeight = Weight(_genreCumulative, g);
            for (var s = 0; s < Genres[g].SongIds.Length; s++)
            {
                running += genreWeight * Weight(_songCumulative[g], s) / _songCumulative[g][^1];
                global[Genres[g].SongIds[s]] = running;
            }
        }

        _globalCumulative = global;
    }

    /// <summary>Groups of songs that playlists draw from together, most popular first.</summary>
    public Genre[] Genres { get; }

    public Song[] Songs { get; }

    public int SampleGenre(SeededRandom random) => random.Sample(_genreCumulative);

    public int SampleSongOf(int genre, SeededRandom random) => Genres[genre].SongIds[random.Sample(_songCumulative[genre])];

    public int SampleAnySong(SeededRandom random) => random.Sample(_globalCumulative);

    public static string PlaylistName(SeededRandom random, int pid) => random.Next(10) switch
    {
        0 => $"{random.Pick(s_adjectives)} {random.Pick(s_nouns)}, Vol. {1 + (pid % 5)}",
        1 => $"\"{random.Pick(s_nouns)}\" Mix",
        2 => $"{random.Pick(s_verbs)} {random.Pick(s_nouns).ToLowerInvariant()}",
        3 => "Road trip",
        4 => "workout",
        5 => "chill, vibes",
        _ => $"{random.Pick(s_adjectives)} {random.Pick(s_nouns)}s",
    };

    private static string ArtistName(SeededRandom random) => random.Next(10) switch
    {
        0 or 1 or 2 => $"The {random.Pick(s_adjectives)} {random.Pick(s_plurals)}",
        3 or 4 or 5 => $"{random.Pick(s_firstNames)} {random.Pick(s_lastNames)}",
        6 => $"{random.Pick(s_lastNames)}, {random.Pick(s_lastNames)} & {random.Pick(s_lastNames)}",
        7 => $"{random.Pick(s_firstNames)} \"{random.Pick(s_nouns)}\" {random.Pick(s_lastNames)}",
        _ => $"{random.Pick(s_adjectives)} {random.Pick(s_nouns)}",
    };

    private static string AlbumName(SeededRandom random) => random.Next(4) switch
    {
        0 => $"{random.Pick(s_nouns)}s",
        1 => $"{random.Pick(s_adjectives)} {random.Pick(s_nouns)}",
        2 => $"{random.Pick(s_nouns)}, {random.Pick(s_nouns)} and {random.Pick(s_nouns)}",
        _ => $"Songs from the {random.Pick(s_nouns)}",
    };

    private static string SongTitle(SeededRandom random)
    {
        var title = random.Next(12) switch
        {
            0 or 1 or 2 or 3 => $"{random.Pick(s_adjectives)} {random.Pick(s_nouns)}",
            4 or 5 => $"{random.Pick(s_verbs)} the {random.Pick(s_nouns)}",
            6 => $"{random.Pick(s_nouns)}, {random.Pick(s_nouns)}",
            7 => $"Don't Call It \"{random.Pick(s_nouns)}\"",
            8 => $"{random.Pick(s_nouns)} of the {random.Pick(s_adjectives)} {random.Pick(s_nouns)}",
            _ => $"{random.Pick(s_nouns)}",
        };
        return random.Next(8) == 0 ? title + random.Pick(s_suffixes) : title;
    }

    private static string Unique(HashSet<string> taken, Func<string> next)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var candidate = next();
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }

        // Word lists can run dry for huge catalogs; a numbered part keeps names unique.
        var basis = next();
        for (var part = 2; ; part++)
        {
            var candidate = $"{basis} (Part {part})";
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }

    private static double[] Cumulative(int count, double skew)
    {
        var cumulative = new double[count];
        var running = 0.0;
        for (var i = 0; i < count; i++)
        {
            running += 1.0 / Math.Pow(i + 1, skew);
            cumulative[i] = running;
        }

        return cumulative;
    }

    private static double Weight(double[] cumulative, int i) => i == 0 ? cumulative[0] : cumulative[i] - cumulative[i - 1];

    /// <summary>A genre (the correlated group) and the ids of its songs, most popular first.</summary>
    internal sealed record Genre(int[] SongIds);

    /// <summary>An artist of a genre, its albums and the titles it already has.</summary>
    private sealed record Performer(string Name, string[] Albums, HashSet<string> Titles);

    /// <summary>One song as written to the CSV.</summary>
    internal sealed record Song(string TrackName, string Artist, string Album, int DurationMs);
}
