using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Core.Artifacts;
using Quarry.Learn.Tabular;
using Quarry.Predict.Model;
using Quarry.Predict.Serving;
using Quarry.Predict.Training;
using Quarry.TestSupport;

namespace Quarry.Predict.Tests;

public sealed class DiabetesModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Demo_data_is_deterministic_and_readable_with_both_classes()
    {
        Assert.Equal(DiabetesSynthetic.Csv(300, 7), DiabetesSynthetic.Csv(300, 7));
        Assert.NotEqual(DiabetesSynthetic.Csv(300, 7), DiabetesSynthetic.Csv(300, 8));
        var data = DiabetesCsv.Read(new StringReader(DiabetesSynthetic.Csv(768, 42)));
        Assert.Equal(768, data.Rows);
        Assert.InRange(data.Labels.Count(l => l == 1), 150, 450);
        Assert.All(data.Features.Select((row, i) => Features.Check(row, i)), Assert.Null);
    }

    [Fact]
    public async Task Training_picks_the_better_candidate_and_the_artifact_round_trips()
    {
        var trainer = new DiabetesTrainer(TimeProvider.System, NullLogger<DiabetesTrainer>.Instance);
        var result = await trainer.TrainAsync(DiabetesSynthetic.Csv(), "demo", true, _temp.Path, 42, Ct);
        var model = result.Model;
        Assert.Equal(model.Candidates.MaxBy(c => c.MeanAccuracy)!.Kind, model.Kind);
        Assert.True(model.Candidates.All(c => c.MeanAccuracy > 0.6), "both candidates learn the planted signal");
        Assert.Equal(154, model.HeldOutRows.Count);

        var path = DiabetesTrainer.Store(_temp.Path).ArtifactPath(result.Publication);
        var read = DiabetesModelFile.Read(path);
        Assert.Equal((model.Kind, model.Demo, model.Source), (read.Kind, read.Demo, read.Source));
        Assert.Equal(model.HeldOutLabels, read.HeldOutLabels);
        foreach (var row in model.HeldOutRows.Take(20))
        {
            Assert.Equal(model.Predict(row), read.Predict(row), 6);
        }

        var bytes = await File.ReadAllBytesAsync(path, Ct);
        for (var length = 0; length < bytes.Length; length += 97)
        {
            Assert.Throws<InvalidDataException>(() => DiabetesModelFile.Read(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public async Task The_job_handler_scores_rows_with_the_loaded_model_and_refuses_bad_ones()
    {
        var trainer = new DiabetesTrainer(TimeProvider.System, NullLogger<DiabetesTrainer>.Instance);
        var result = await trainer.TrainAsync(DiabetesSynthetic.Csv(), "demo", true, _temp.Path, 42, Ct);
        var swap = new ModelSwap<DiabetesModel>();
        var handler = new PredictJobHandler(swap);
        using var payload = JsonDocument.Parse("""{"rows":[[6,148,72,35,0,33.6,0.627,50]]}""");
        var context = new Quarry.Jobs.Handlers.JobContext(Guid.NewGuid(), payload.RootElement, 1, "w");

        await Assert.ThrowsAsync<InvalidOperationException>(() => handler.RunAsync(context, Ct)); // no model yet: retried later
        swap.Swap(new LoadedModel<DiabetesModel>(result.Model, result.Publication, DateTimeOffset.UtcNow));
        using var answer = JsonDocument.Parse((await handler.RunAsync(context, Ct))!);
        var p = answer.RootElement.GetProperty("probabilities")[0].GetSingle();
        Assert.Equal(result.Model.Predict([6, 148, 72, 35, 0, 33.6f, 0.627f, 50]), p, 5);

        using var bad = JsonDocument.Parse("""{"rows":[[6,148,72,35,0,33.6,0.627,500]]}""");
        Assert.Contains("age", handler.Validate(bad.RootElement), StringComparison.Ordinal);
    }
}
