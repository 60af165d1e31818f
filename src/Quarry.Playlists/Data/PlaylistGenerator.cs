using System.Text;
using Quarry.Core.Datasets;

namespace Quarry.Playlists.Data;

/// <summary>Settings for <see cref="PlaylistGenerator"/>.</summary>
public sealed record PlaylistGeneratorOptions
{
    /// <summary>Number of playlists to write.</summary>
    public int Playlists { get; init; } = 5_000;

    /// <summary>Number of distinct songs in the catalog.</summary>
    public int Songs { get; init; } = 2_000;

    /// <summary>Seed; the same options always give the same bytes.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Mean number of distinct songs per playlist.</summary>
    public double MeanLength { get; init; } = 20;
}

/// <summary>Writes seeded synthetic playlists as CSV (<c>pid,name,album_name,artist_name,duration_ms,track_name</c>).</summary>
/// <remarks>
/// Each playlist draws most songs from one to three genres, favouring each genre's hits, plus some songs
/// from the whole catalog by overall popularity; so popular songs co-occur and association rules exist.
/// </remarks>
public static class PlaylistGenerator
{
    /// <summary>The header the generator writes.</summary>
    public const string Header = "pid,name,album_name,artist_name,duration_ms,track_name";

    // Share of songs drawn from the whole catalog instead of the playlist's genres.
    private const double CatalogShare = 0.3;

    /// <summary>Writes the CSV to <paramref name="writer"/> (header first, rows of a playlist together).</summary>
    public static void Write(TextWriter writer, PlaylistGeneratorOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new PlaylistGeneratorOptions();
        Validate(options);

        var random = new SeededRandom(options.Seed);
        var catalog = new SongCatalog(options.Songs, random);
        var maxLength = Math.Max(1, options.Songs / 2);
        var mu = Math.Log(options.MeanLength) - 0.125;
        var seenIn = new int[options.Songs];
        Array.Fill(seenIn, -1);
        var chosen = new List<int>(64);
        var genres = new int[3];

        using var csv = new CsvWriter(writer, leaveOpen: true);
        csv.WriteRow(Header.Split(','));
        for (var pid = 0; pid < options.Playlists; pid++)
        {
            if ((pid & 1023) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            // Log-normal lengths: most playlists near the mean, a few long ones.
            var length = Math.Clamp((int)Math.Round(Math.Exp(mu + (0.5 * random.NextGaussian()))), 1, maxLength);
            var genreCount = PickGenres(catalog, random, genres);
            chosen.Clear();
            for (var attempt = 0; chosen.Count < length && attempt < length * 8; attempt++)
            {
                var song = random.NextDouble() < CatalogShare
                    ? catalog.SampleAnySong(random)
                    : catalog.SampleSongOf(genres[random.Next(genreCount)], random);
                if (seenIn[song] != pid)
                {
                    seenIn[song] = pid;
                    chosen.Add(song);
                }
            }

            var name = SongCatalog.PlaylistName(random, pid);
            foreach (var id in chosen)
            {
                var song = catalog.Songs[id];
                csv.WriteField(pid);
                csv.WriteField(name);
                csv.WriteField(song.Album);
                csv.WriteField(song.Artist);
                csv.WriteField(song.DurationMs);
                csv.WriteField(song.TrackName);
                csv.EndRow();
            }
        }
    }

    /// <summary>Writes the CSV to <paramref name="path"/> (UTF-8, no BOM), replacing the file only once it is complete.</summary>
    public static void WriteFile(string path, PlaylistGeneratorOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
            {
                Write(writer, options, ct);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static int PickGenres(SongCatalog catalog, SeededRandom random, int[] genres)
    {
        var wanted = Math.Min(random.Next(10) switch { < 4 => 1, < 8 => 2, _ => 3 }, catalog.Genres.Length);
        var count = 0;
        for (var attempt = 0; count < wanted && attempt < 20; attempt++)
        {
            var genre = catalog.SampleGenre(random);
            if (Array.IndexOf(genres, genre, 0, count) < 0)
            {
                genres[count++] = genre;
            }
        }

        return count;
    }

    private static void Validate(PlaylistGeneratorOptions options)
    {
        if (options.Playlists < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Playlists, "Playlists must not be negative.");
        }

        if (options.Songs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Songs, "Songs must be at least 1.");
        }

        if (!(options.MeanLength >= 1) || options.MeanLength > options.Songs)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MeanLength, "MeanLength must be between 1 and Songs.");
        }
    }
}
