using System.Text;
using Quarry.Core.Datasets;

namespace Quarry.Movies.Synthetic;

/// <summary>Writes a seeded synthetic data set in the ml-latest-small layout (<c>movies.csv</c>, <c>ratings.csv</c>) with latent taste structure.</summary>
/// <remarks>
/// Each user picks movies by affinity × popularity, sampled as a mixture: mostly from movies of the user's dominant or
/// secondary factor by popularity, sometimes from any factor, and a small share by popularity alone. Ratings rise with
/// the cosine affinity of the user's and the movie's factor vectors, so a collaborative model beats popularity.
/// </remarks>
public static class SyntheticMovieLens
{
    private const double LengthSigma = 0.7;
    private const int MinRatingsPerUser = 5;
    private const long FirstTimestamp = 828_000_000;   // April 1996, MovieLens's first ratings
    private const long LastTimestamp = 1_540_000_000;  // late 2018

    private static readonly string[] s_ratingText = ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"];

    /// <summary>Writes <c>movies.csv</c> and <c>ratings.csv</c> into <paramref name="directory"/> (created if missing), replacing each file only once it is complete.</summary>
    public static Task WriteAsync(string directory, SyntheticMovieOptions options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Task.Run(() => Write(Path.GetFullPath(directory), options, ct), ct);
    }

    /// <summary>The taste model the files of <paramref name="options"/> are drawn from (the same random sequence as <see cref="WriteAsync"/>).</summary>
    internal static SyntheticTasteModel Model(SyntheticMovieOptions options, out SeededRandom random)
    {
        options.Validate();
        random = new SeededRandom(options.Seed);
        return SyntheticTasteModel.Create(options, random);
    }

    private static void Write(string directory, SyntheticMovieOptions options, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var model = Model(options, out var random);
        WriteAtomically(Path.Combine(directory, "movies.csv"), csv => WriteMovies(csv, model, options, random));
        WriteAtomically(Path.Combine(directory, "ratings.csv"), csv => WriteRatings(csv, model, options, random, ct));
    }

    private static void WriteMovies(CsvWriter csv, SyntheticTasteModel model, SyntheticMovieOptions options, SeededRandom random)
    {
        var titles = new SyntheticTitles();
        csv.WriteRow("movieId", "title", "genres");
        for (var m = 0; m < options.Movies; m++)
        {
            csv.WriteField(m + 1);
            csv.WriteField($"{titles.Next(random)} ({SyntheticTitles.Year(random)})");
            csv.WriteField(string.Join('|', model.Genres(m)));
            csv.EndRow();
        }
    }

    private static void WriteRatings(CsvWriter csv, SyntheticTasteModel model, SyntheticMovieOptions options, SeededRandom random, CancellationToken ct)
    {
        var sampler = new SyntheticSampler(model);
        var mu = Math.Log(options.RatingsPerUser) - (LengthSigma * LengthSigma / 2);
        var maxLength = Math.Max(1, Math.Min(options.Movies, (int)(options.RatingsPerUser * 10)));
        var minLength = Math.Min(MinRatingsPerUser, maxLength);
        var chosen = new List<int>(maxLength);
        csv.WriteRow("userId", "movieId", "rating", "timestamp");
        for (var u = 0; u < options.Users; u++)
        {
            if ((u & 1023) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var length = Math.Clamp((int)Math.Round(Math.Exp(mu + (LengthSigma * random.NextGaussian()))), minLength, maxLength);
            sampler.Sample(u, length, random, chosen);
            chosen.Sort();
            var start = FirstTimestamp + (long)(random.NextDouble() * (LastTimestamp - FirstTimestamp - 31_536_000));
            var activeSeconds = 3_600 + (long)(random.NextDouble() * 31_536_000);
            foreach (var m in chosen)
            {
                csv.WriteField(u + 1);
                csv.WriteField(m + 1);
                csv.WriteField(s_ratingText[RatingStep(model, u, m, random)]);
                csv.WriteField(start + (long)(random.NextDouble() * activeSeconds));
                csv.EndRow();
            }
        }
    }

    // 0..9 for 0.5..5 stars: a 3.2 baseline, +2 stars per unit of affinity above typical, biases and noise.
    private static int RatingStep(SyntheticTasteModel model, int user, int movie, SeededRandom random)
    {
        var stars = 3.2 + (2.0 * (model.Affinity(user, movie) - 0.45)) + model.MovieBias[movie] + model.UserBias[user]
            + (0.45 * random.NextGaussian());
        return Math.Clamp((int)Math.Round(stars * 2) - 1, 0, 9);
    }

    private static void WriteAtomically(string path, Action<CsvWriter> write)
    {
        var temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
            using (var csv = new CsvWriter(writer))
            {
                write(csv);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
