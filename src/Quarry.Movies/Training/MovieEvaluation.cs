using Quarry.Learn.Recommenders;
using Quarry.Movies.Data;
using Quarry.Movies.Import;

namespace Quarry.Movies.Training;

/// <summary>One model's offline quality.</summary>
public sealed record ModelQuality(string Model, RankingQuality Quality, TimeSpan TrainTime);

/// <summary>The offline evaluation report of <c>quarry eval movies</c>.</summary>
public sealed record EvaluationReport(int Users, int Items, int Ratings, int UsersEvaluated, IReadOnlyList<ModelQuality> Models);

/// <summary>
/// Runs the documented protocol (docs/recommenders.md) on a MovieLens directory: ratings ≥ 4 are positives, a seeded
/// 20% of each user's positives held out, all other items ranked; MostPop, item-kNN and EASE side by side.
/// </summary>
public static class MovieEvaluation
{
    /// <summary>Reads the ratings, splits them with <paramref name="seed"/>, trains each model on the training part and scores it.</summary>
    public static async Task<EvaluationReport> RunAsync(string pathOrDir, int seed, float lambda, int neighbours, IProgress<string>? progress, CancellationToken ct)
    {
        var (ratings, users, items) = await Task.Run(() => Load(pathOrDir), ct);
        var split = HoldoutSplit.Create(ratings, users, items, seed);
        var results = new List<ModelQuality>();
        foreach (var (name, train) in new (string, Func<IRecommender>)[]
        {
            ("MostPop", () => new MostPopular(split.Train)),
            ($"ItemKNN (k={neighbours})", () => ItemKnnModel.Train(split.Train, neighbours, ct: ct)),
            ($"EASE (λ={lambda:0.##})", () => EaseModel.Train(split.Train, lambda, ct: ct)),
            ($"EASE (λ={lambda:0.##}, validated extras)", () => EaseModel.Train(split.Train, EaseOptions.Recommended with { Lambda = lambda }, ct: ct)),
        })
        {
            progress?.Report($"training {name}");
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var model = await Task.Run(train, ct);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            progress?.Report($"evaluating {name}");
            var quality = await Task.Run(() => Evaluator.Evaluate(model, split, ct: ct), ct);
            results.Add(new ModelQuality(name, quality, elapsed));
        }

        return new EvaluationReport(users, items, ratings.Count, results[0].Quality.UsersEvaluated, results);
    }

    /// <summary>
    /// Every rating of a MovieLens directory, file or .zip, with users and movies mapped to dense indices in ascending id
    /// order (movies: those rated at least once), so the seeded split does not depend on the order of the file.
    /// </summary>
    public static (List<Rating> Ratings, int Users, int Items) Load(string pathOrDir)
    {
        var source = MovieLensSource.Locate(pathOrDir);
        var latest = source.Layout == MovieLensLayout.Latest;
        var moviesFile = source.File(latest ? "movies.csv" : "u.item");
        var ratingsFile = source.File(latest ? "ratings.csv" : "u.data");
        List<Movie> movies;
        using (var stream = File.OpenRead(moviesFile))
        {
            movies = latest ? LatestLayoutReader.ReadMovies(stream, moviesFile)
                : Classic100KReader.ReadMovies(stream, moviesFile, Classic100KReader.ReadGenres(source.File("u.genre")));
        }

        var known = movies.Select(m => m.Id).ToHashSet();
        List<(int User, int Movie, float Value)> raw;
        using (var stream = File.OpenRead(ratingsFile))
        {
            var rows = latest
                ? LatestLayoutReader.ReadRatings(stream, ratingsFile, known, Path.GetFileName(moviesFile))
                : Classic100KReader.ReadRatings(stream, ratingsFile, known, Path.GetFileName(moviesFile));
            raw = rows.Select(r => (r.User, r.Movie, r.Rating)).ToList();
        }

        var users = Dense(raw.Select(r => r.User));
        var items = Dense(raw.Select(r => r.Movie));
        return (raw.ConvertAll(r => new Rating(users[r.User], items[r.Movie], r.Value)), users.Count, items.Count);
    }

    private static Dictionary<int, int> Dense(IEnumerable<int> ids) =>
        ids.Distinct().Order().Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
}
