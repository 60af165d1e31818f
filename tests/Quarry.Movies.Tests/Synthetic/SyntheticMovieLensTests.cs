using System.Globalization;
using Quarry.Core.Datasets;
using Quarry.Movies.Data;
using Quarry.Movies.Import;
using Quarry.Movies.Synthetic;
using Quarry.TestSupport;

namespace Quarry.Movies.Tests.Synthetic;

public sealed class SyntheticMovieLensTests : IDisposable
{
    private static readonly SyntheticMovieOptions s_small = new() { Users = 600, Movies = 400, RatingsPerUser = 30 };

    private readonly TempDirectory _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    private async Task<string> GenerateAsync(string name, SyntheticMovieOptions options)
    {
        var directory = _files.File(name);
        await SyntheticMovieLens.WriteAsync(directory, options, Ct);
        return directory;
    }

    private static List<List<string>> ReadCsv(string path)
    {
        var rows = new List<List<string>>();
        using var csv = CsvReader.Open(path);
        var fields = new List<string>();
        while (csv.TryReadRow(fields))
        {
            rows.Add([.. fields]);
        }

        return rows;
    }

    private static List<(int User, int Movie, float Rating)> ReadRatings(string directory) =>
        [.. ReadCsv(Path.Combine(directory, "ratings.csv")).Skip(1).Select(r =>
            (int.Parse(r[0], CultureInfo.InvariantCulture) - 1, int.Parse(r[1], CultureInfo.InvariantCulture) - 1,
             float.Parse(r[2], CultureInfo.InvariantCulture)))];

    [Fact]
    public async Task The_same_seed_gives_the_same_files_and_another_seed_different_ones()
    {
        var first = await GenerateAsync("a", s_small);
        var second = await GenerateAsync("b", s_small);
        var other = await GenerateAsync("c", s_small with { Seed = 7 });

        foreach (var file in new[] { "movies.csv", "ratings.csv" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(other, file)));
        }
    }

    [Fact]
    public async Task The_files_have_the_ml_latest_small_shape_with_unique_titles_and_half_star_ratings()
    {
        var directory = await GenerateAsync("shape", s_small);

        var movies = ReadCsv(Path.Combine(directory, "movies.csv"));
        Assert.Equal(["movieId", "title", "genres"], movies[0]);
        Assert.Equal(s_small.Movies, movies.Count - 1);
        var titles = movies.Skip(1).Select(r => MovieLensTitle.Parse(r[1])).ToList();
        Assert.All(titles, t => Assert.InRange(t.Year ?? 0, 1920, 2020));
        Assert.Equal(titles.Count, titles.Select(t => t.Title).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(movies.Skip(1), r => Assert.InRange(r[2].Split('|').Length, 1, 2));

        var ratings = ReadRatings(directory);
        Assert.All(ratings, r => Assert.True(r.Rating is >= 0.5f and <= 5f && r.Rating * 2 == MathF.Round(r.Rating * 2), $"rating {r.Rating}"));
        Assert.Equal(ratings.Count, ratings.Select(r => (r.User, r.Movie)).Distinct().Count());
        var perUser = ratings.GroupBy(r => r.User).Select(g => g.Count()).ToList();
        Assert.Equal(s_small.Users, perUser.Count);
        Assert.True(perUser.Min() >= 5, $"min {perUser.Min()}");
        Assert.InRange(perUser.Average(), s_small.RatingsPerUser * 0.85, s_small.RatingsPerUser * 1.15);
        Assert.InRange(ratings.Average(r => r.Rating), 2.8, 4.0);
    }

    [Fact]
    public async Task Users_sharing_a_dominant_taste_co_rate_far_more_movies_than_other_pairs()
    {
        var directory = await GenerateAsync("taste", s_small);
        var model = SyntheticMovieLens.Model(s_small, out _);
        var rated = ReadRatings(directory).GroupBy(r => r.User).ToDictionary(g => g.Key, g => g.Select(r => r.Movie).ToHashSet());

        double same = 0, different = 0;
        int sameCount = 0, differentCount = 0;
        for (var a = 0; a < s_small.Users; a++)
        {
            for (var b = a + 1; b < s_small.Users; b++)
            {
                var overlap = rated[a].Count(rated[b].Contains);
                if (model.UserDominant[a] == model.UserDominant[b])
                {
                    same += overlap;
                    sameCount++;
                }
                else
                {
                    different += overlap;
                    differentCount++;
                }
            }
        }

        var ratio = same / sameCount / (different / differentCount);
        Assert.True(ratio > 2.5, $"co-rated movies: same taste {same / sameCount:F2}, different {different / differentCount:F2} (ratio {ratio:F2})");
    }

    [Fact]
    public async Task Ratings_are_higher_where_user_and_movie_tastes_agree()
    {
        var directory = await GenerateAsync("affinity", s_small);
        var model = SyntheticMovieLens.Model(s_small, out _);
        var ratings = ReadRatings(directory);

        var matching = ratings.Where(r => model.MovieDominant[r.Movie] == model.UserDominant[r.User]).Average(r => r.Rating);
        var unrelated = ratings.Where(r => model.MovieDominant[r.Movie] != model.UserDominant[r.User]
            && model.MovieSecondary[r.Movie] != model.UserDominant[r.User]
            && model.MovieDominant[r.Movie] != model.UserSecondary[r.User]).Average(r => r.Rating);

        Assert.True(matching - unrelated > 0.6, $"matching {matching:F2} vs unrelated {unrelated:F2}");
    }

    [Fact]
    public async Task Recommending_from_similar_users_beats_recommending_the_most_popular()
    {
        var directory = await GenerateAsync("holdout", s_small with { Users = 1_000 });
        var ratings = ReadRatings(directory);
        var byUser = ratings.GroupBy(r => r.User).ToDictionary(g => g.Key, g => g.Select(r => r.Movie).ToList());
        // Hold out each user's last rated movie; recommend from the rest.
        var heldOut = byUser.ToDictionary(p => p.Key, p => p.Value[^1]);
        var train = byUser.ToDictionary(p => p.Key, p => p.Value[..^1].ToHashSet());
        var popularity = train.Values.SelectMany(s => s).CountBy(m => m).ToDictionary();

        int popularHits = 0, neighbourHits = 0;
        foreach (var (user, seen) in train)
        {
            var popular = popularity.Where(p => !seen.Contains(p.Key)).OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(10).Select(p => p.Key);
            popularHits += popular.Contains(heldOut[user]) ? 1 : 0;

            // User-based neighbourhood: movies of the 30 users with the most co-rated movies.
            var neighbours = train.Where(p => p.Key != user).Select(p => (p.Value, Shared: p.Value.Count(seen.Contains)))
                .OrderByDescending(p => p.Shared).Take(30);
            var scores = new Dictionary<int, double>();
            foreach (var (movies, shared) in neighbours)
            {
                foreach (var movie in movies.Where(m => !seen.Contains(m)))
                {
                    scores[movie] = scores.GetValueOrDefault(movie) + shared;
                }
            }

            var recommended = scores.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(10).Select(p => p.Key);
            neighbourHits += recommended.Contains(heldOut[user]) ? 1 : 0;
        }

        Assert.True(neighbourHits > popularHits * 3, $"hits@10: neighbours {neighbourHits}, popularity {popularHits}");
    }

    [Fact]
    public async Task A_generated_set_imports_completely_across_several_batches()
    {
        var options = new SyntheticMovieOptions { Users = 3_000, Movies = 800, RatingsPerUser = 40 };
        var directory = await GenerateAsync("import", options);
        var expected = File.ReadLines(Path.Combine(directory, "ratings.csv")).Count() - 1;
        Assert.True(expected > 2 * MovieLensImporter.RatingBatchSize, $"only {expected} ratings");
        await using var store = new SqliteMovieStore(_files.File("import.db"));
        await store.InitializeAsync(Ct);

        var result = await MovieLensImporter.ImportAsync(directory, store, null, Ct);

        Assert.Equal((options.Movies, (long)expected), (result.Movies, result.Ratings));
        Assert.Equal((options.Movies, (long)expected, options.Users), await store.CountsAsync(Ct));
        Assert.Equal(options.Factors, (await store.GenresAsync(Ct)).Count);
    }

    [Fact]
    public async Task Options_out_of_range_are_rejected_by_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SyntheticMovieLens.WriteAsync(_files.Path, s_small with { Factors = 40 }, Ct));

        Assert.Equal("Factors", error.ParamName);
    }
}
