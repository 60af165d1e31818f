using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Quarry.Core.Artifacts;
using Quarry.Learn.Recommenders;
using Quarry.Movies.Data;
using Quarry.Movies.Model;

namespace Quarry.Movies.Training;

/// <summary>What a movie training run did.</summary>
public sealed record MovieTrainingResult(Publication Publication, MovieModelInfo Info, int Movies, TimeSpan Elapsed);

/// <summary>
/// Learns a movie model from every preference in the store (imported ratings ≥ the threshold, and likes) and
/// publishes it with its checkpoint, for servers to swap in.
/// </summary>
public sealed partial class MovieTrainer(IMovieStore store, TimeProvider clock, ILogger<MovieTrainer> logger)
{
    /// <summary>The artifact folder under <paramref name="dataDir"/>.</summary>
    public static ArtifactDirectory Store(string dataDir) => new(Path.Combine(dataDir, "movies"), "model", MovieModelFile.Extension);

    /// <summary>Reads, trains and publishes; progress is the fraction of the current stage.</summary>
    public async Task<MovieTrainingResult> TrainAsync(MovieTrainingOptions options, IProgress<(string Stage, double? Fraction)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        progress?.Report(("read", null));
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = new Dictionary<int, int>();
        var pairs = new List<(int User, int Item)>();
        await foreach (var (user, movie, rating, _) in store.ReadPreferencesAsync(cancellationToken))
        {
            if (rating < options.PositiveThreshold)
            {
                continue;
            }

            if (!users.TryGetValue(user, out var u))
            {
                users[user] = u = users.Count;
            }

            if (!items.TryGetValue(movie, out var i))
            {
                items[movie] = i = items.Count;
            }

            pairs.Add((u, i));
        }

        if (pairs.Count == 0)
        {
            throw new InvalidDataException("The store holds no positive preferences yet: import a dataset (quarry import movielens) or add likes first.");
        }

        var data = InteractionMatrix.Create(users.Count, items.Count, pairs);
        LogRead(logger, users.Count, items.Count, data.Count);
        var kind = options.Model == "auto" ? (items.Count <= MovieTrainingOptions.MaxEaseItems ? "ease" : "knn") : options.Model;
        var stage = new Progress<double>(f => progress?.Report(("train", f)));
        var model = await Task.Run(() => Build(data, kind, options, stage, cancellationToken), cancellationToken);

        var catalog = await store.GetMoviesAsync(items.Keys, cancellationToken);
        var movies = new Movie[items.Count];
        foreach (var (id, index) in items)
        {
            movies[index] = catalog.TryGetValue(id, out var movie) ? movie : new Movie(id, $"Movie {id}", null, []);
        }

        var info = new MovieModelInfo(kind, users.Count, data.Count, kind == "ease" ? options.Ease.Lambda : 0, kind == "knn" ? options.Neighbours : 0);
        var weight = model is EaseModel ease ? ease.Weight : (Func<int, int, float>)((ItemKnnModel)model).Weight;
        var trained = new MovieModel(movies, data.ItemCounts(), model, weight, info);
        progress?.Report(("publish", null));
        var publication = await Store(options.DataDir).PublishAsync(options.Version, store.Name,
            (stream, ct) => MovieModelFile.WriteAsync(trained, stream, ct), clock, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogPublished(logger, kind, movies.Length, users.Count, publication.ModelDate, elapsed.TotalSeconds);
        return new MovieTrainingResult(publication, info, movies.Length, elapsed);
    }

    private static IRecommender Build(InteractionMatrix data, string kind, MovieTrainingOptions options, IProgress<double> progress, CancellationToken ct) =>
        kind == "ease"
            ? EaseModel.Train(data, options.Ease, progress, ct)
            : ItemKnnModel.Train(data, options.Neighbours, progress: progress, ct: ct);

    [LoggerMessage(EventId = EventIds.MovieTrainerRead, Level = LogLevel.Information, Message = "Training on {Users:N0} users, {Movies:N0} movies, {Likes:N0} positive preferences")]
    private static partial void LogRead(ILogger logger, int users, int movies, long likes);

    [LoggerMessage(EventId = EventIds.MovieTrainerPublished, Level = LogLevel.Information,
        Message = "Published {Kind} movie model ({Movies:N0} movies, {Users:N0} users) from {ModelDate} in {Seconds:F1} s")]
    private static partial void LogPublished(ILogger logger, string kind, int movies, int users, string modelDate, double seconds);
}
