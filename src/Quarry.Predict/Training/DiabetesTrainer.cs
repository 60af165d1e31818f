using Microsoft.Extensions.Logging;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Learn.Tabular;
using Quarry.Predict.Model;

namespace Quarry.Predict.Training;

/// <summary>What one training run produced.</summary>
public sealed record DiabetesTrainingResult(Publication Publication, DiabetesModel Model);

/// <summary>
/// Trains the diabetes classifier: holds out a stratified 20% for the accuracy page, cross-validates a standardised
/// logistic regression and the original 8→12→8→1 MLP on the rest, keeps the better one, refits it on all training
/// rows and publishes it with its evidence.
/// </summary>
public sealed partial class DiabetesTrainer(TimeProvider clock, ILogger<DiabetesTrainer> logger)
{
    /// <summary>Folds of the model-choosing cross-validation.</summary>
    public const int Folds = 10;

    /// <summary>The artifact folder under <paramref name="dataDir"/>.</summary>
    public static ArtifactDirectory Store(string dataDir) => new(Path.Combine(dataDir, "diabetes"), "model", DiabetesModelFile.Extension);

    /// <summary>The candidates, by name.</summary>
    public static IReadOnlyList<(string Kind, Func<float[][], int[], IBinaryClassifier> Train)> Candidates { get; } =
    [
        ("logistic", (x, y) => LogisticRegression.Train(x, y)),
        ("mlp", (x, y) => Mlp.Train(x, y, new MlpOptions([12, 8]))),
    ];

    /// <summary>Reads the 9-column CSV text, trains, and publishes; <paramref name="demo"/> marks generated data.</summary>
    public async Task<DiabetesTrainingResult> TrainAsync(string csv, string source, bool demo, string dataDir, int seed, CancellationToken ct)
    {
        var data = DiabetesCsv.Read(new StringReader(csv));
        var folds = CrossValidator.StratifiedFolds(data.Labels, 5, seed);
        var heldOut = folds[0].ToHashSet();
        var train = new TabularData(
            data.Features.Where((_, i) => !heldOut.Contains(i)).ToArray(),
            data.Labels.Where((_, i) => !heldOut.Contains(i)).ToArray());

        var scores = new List<CandidateScore>();
        foreach (var (kind, fit) in Candidates)
        {
            var cv = await Task.Run(() => CrossValidator.Run(train, Folds, seed, fit), ct);
            scores.Add(new CandidateScore(kind, cv.MeanAccuracy, cv.StdAccuracy, cv.MeanAuc));
            LogCandidate(logger, kind, cv.MeanAccuracy * 100, cv.StdAccuracy * 100);
        }

        var best = scores.MaxBy(s => s.MeanAccuracy)!;
        var standardizer = Standardizer.Fit(train.Features);
        var classifier = Candidates.Single(c => c.Kind == best.Kind).Train(standardizer.TransformAll(train.Features), train.Labels);
        var heldRows = folds[0].Select(i => data.Features[i]).ToArray();
        var heldLabels = folds[0].Select(i => data.Labels[i]).ToArray();
        var majorityClass = train.Labels.Count(l => l == 1) * 2 > train.Rows ? 1 : 0;
        var majority = heldLabels.Length == 0 ? 0 : heldLabels.Count(l => l == majorityClass) / (double)heldLabels.Length;
        var model = new DiabetesModel(best.Kind, standardizer, classifier, scores, majority, heldRows, heldLabels, demo, source);

        var publication = await Store(dataDir).PublishAsync(QuarryInfo.Version, source, (s, c) => DiabetesModelFile.WriteAsync(model, s, c), clock, ct);
        LogPublished(logger, best.Kind, best.MeanAccuracy * 100, publication.ModelDate, demo);
        return new DiabetesTrainingResult(publication, model);
    }

    [LoggerMessage(EventId = EventIds.DiabetesTrainerCandidate, Level = LogLevel.Information, Message = "Candidate {Kind}: {Accuracy:F2}% ± {Std:F2} cross-validated accuracy")]
    private static partial void LogCandidate(ILogger logger, string kind, double accuracy, double std);

    [LoggerMessage(EventId = EventIds.DiabetesTrainerPublished, Level = LogLevel.Information, Message = "Published {Kind} diabetes model ({Accuracy:F2}% in CV) from {ModelDate}; demo data: {Demo}")]
    private static partial void LogPublished(ILogger logger, string kind, double accuracy, string modelDate, bool demo);
}
