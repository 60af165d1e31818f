using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Quarry.Core.Artifacts;
using Quarry.Core.Datasets;
using Quarry.Learn.Association;
using Quarry.Playlists.Data;
using Quarry.Playlists.Model;

namespace Quarry.Playlists.Training;

/// <summary>What a training run did.</summary>
/// <param name="Publication">The checkpoint now in force.</param>
/// <param name="Skipped">True when the checkpoint already named this version and dataset and nothing was retrained.</param>
/// <param name="Data">Size of the playlists read (null when skipped).</param>
/// <param name="Itemsets">Frequent itemsets mined.</param>
/// <param name="Rules">Association rules kept.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record PlaylistTrainingResult(Publication Publication, bool Skipped, PlaylistStats? Data, int Itemsets, int Rules, TimeSpan Elapsed);

/// <summary>
/// The ML processor: fetches playlists, mines frequent itemsets and association rules, and publishes the model
/// atomically with its checkpoint. Idempotent: the same version and dataset are not trained twice unless forced.
/// </summary>
public sealed partial class PlaylistTrainer(DatasetFetcher fetcher, TimeProvider clock, ILogger<PlaylistTrainer> logger)
{
    /// <summary>Runs the whole pipeline; progress goes to <paramref name="progress"/> and the log.</summary>
    public async Task<PlaylistTrainingResult> TrainAsync(PlaylistTrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var store = PlaylistStore.Open(options.DataDir);
        var source = SourceName(options.Dataset);

        var existing = TryReadCheckpoint(store);
        if (!options.Force && existing is not null && existing.Version == options.Version
            && existing.Source == ArtifactDirectory.EscapeSource(source) && File.Exists(store.ArtifactPath(existing)))
        {
            LogUpToDate(logger, existing.Version, existing.Source, existing.ModelDate);
            return new PlaylistTrainingResult(existing, true, null, 0, 0, Stopwatch.GetElapsedTime(started));
        }

        progress?.Report(new TrainingProgress("download", null, source));
        var path = await fetcher.FetchAsync(options.Dataset, options.DataDir,
            new Progress<TransferProgress>(p => progress?.Report(new TrainingProgress("download",
                p.TotalBytes is > 0 ? (double)p.Bytes / p.TotalBytes.Value : null, $"{p.Bytes:N0} bytes"))),
            force: options.Force, cancellationToken);

        var data = await Task.Run(() => PlaylistCsv.Read(path,
            new Progress<long>(rows => progress?.Report(new TrainingProgress("read", null, $"{rows:N0} rows"))), cancellationToken), cancellationToken);
        var stats = data.Stats;
        LogRead(logger, stats.Playlists, stats.Songs, stats.Rows, path);
        if (stats.Playlists == 0)
        {
            throw new InvalidDataException($"The dataset {source} holds no playlists.");
        }

        var model = await Task.Run(() => Mine(data, options, progress, cancellationToken), cancellationToken);
        progress?.Report(new TrainingProgress("publish", null, store.Path));
        var publication = await store.PublishAsync(options.Version, source,
            (stream, ct) => RuleModelFile.WriteAsync(model.Model, stream, ct), clock, cancellationToken);

        var elapsed = Stopwatch.GetElapsedTime(started);
        LogPublished(logger, publication.Version, publication.ModelDate, model.Itemsets, model.Model.Rules.Count, elapsed.TotalSeconds);
        return new PlaylistTrainingResult(publication, false, stats, model.Itemsets, model.Model.Rules.Count, elapsed);
    }

    /// <summary>Mines the rules of <paramref name="data"/> into a model (no I/O).</summary>
    public static (RuleModel Model, int Itemsets) Mine(PlaylistData data, PlaylistTrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var database = TransactionDatabase.Create(data.Playlists);
        var minCount = SupportThreshold.ToCount(options.MinSupport, database.Count);
        var itemsets = ItemsetMiner.Mine(database, new MiningOptions(minCount, options.MaxLength),
            new Progress<double>(f => progress?.Report(new TrainingProgress("mine", f, null))), cancellationToken);
        progress?.Report(new TrainingProgress("rules", null, $"{itemsets.Count:N0} itemsets"));
        var rules = RuleGenerator.Generate(itemsets, options.MinConfidence, cancellationToken);

        var support = new int[data.Songs.Length];
        foreach (var playlist in data.Playlists)
        {
            foreach (var song in playlist)
            {
                support[song]++;
            }
        }

        var settings = new MiningSettings(minCount, options.MinConfidence, options.MaxLength);
        return (new RuleModel(database.Count, data.Songs, support, rules, settings), itemsets.Count);
    }

    private static string SourceName(string dataset) =>
        Uri.TryCreate(dataset, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file" ? dataset : Path.GetFullPath(dataset);

    private static Publication? TryReadCheckpoint(ArtifactDirectory store)
    {
        try
        {
            return store.ReadCheckpoint();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = EventIds.PlaylistTrainerUpToDate, Level = LogLevel.Information,
        Message = "Model v{Version} for {Source} is already trained ({ModelDate}); nothing to do (use --force to retrain)")]
    private static partial void LogUpToDate(ILogger logger, string version, string source, string modelDate);

    [LoggerMessage(EventId = EventIds.PlaylistTrainerRead, Level = LogLevel.Information, Message = "Read {Playlists:N0} playlists, {Songs:N0} songs, {Rows:N0} rows from {Path}")]
    private static partial void LogRead(ILogger logger, int playlists, int songs, long rows, string path);

    [LoggerMessage(EventId = EventIds.PlaylistTrainerPublished, Level = LogLevel.Information,
        Message = "Published model v{Version} from {ModelDate}: {Itemsets:N0} frequent itemsets, {Rules:N0} rules, {Seconds:F2} s")]
    private static partial void LogPublished(ILogger logger, string version, string modelDate, int itemsets, int rules, double seconds);
}
