using System.Text.Json;
using Quarry.Core.Artifacts;
using Quarry.Jobs.Handlers;
using Quarry.Predict.Model;

namespace Quarry.Predict.Serving;

/// <summary>
/// The <c>diabetes.predict</c> job: <c>{"rows": [[8 numbers], ...]}</c> → probabilities and classes from the model this
/// worker has loaded. Rows are validated again here, since jobs can be submitted by any client.
/// </summary>
public sealed class PredictJobHandler(ModelSwap<DiabetesModel> swap) : IJobHandler
{
    /// <summary>The job type.</summary>
    public const string JobType = "diabetes.predict";

    /// <inheritdoc />
    public string Type => JobType;

    /// <inheritdoc />
    public string? Validate(JsonElement payload) => PredictRequest.Parse(payload, out _);

    /// <inheritdoc />
    public Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (PredictRequest.Parse(context.Payload, out var rows) is { } problem)
        {
            throw new PermanentJobException(problem);
        }

        // A worker that has not loaded a model yet fails the attempt; the retry finds it loaded.
        var loaded = swap.Current ?? throw new InvalidOperationException($"Worker {context.Worker} has no diabetes model loaded yet.");
        var probabilities = new float[rows.Length];
        var classes = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var p = loaded.Model.Predict(rows[i]);
            probabilities[i] = MathF.Round(p, 6);
            classes[i] = p >= 0.5f ? 1 : 0;
        }

        var result = new PredictionResult(probabilities, classes, loaded.Publication.Version, loaded.Publication.ModelDate, loaded.Model.Kind, loaded.Model.Demo);
        return Task.FromResult<string?>(JsonSerializer.Serialize(result, PredictionJson.Default.PredictionResult));
    }
}

/// <summary>What a <c>diabetes.predict</c> job stores as its result.</summary>
/// <param name="Probabilities">Probability of diabetes per row, rounded to 6 decimals.</param>
/// <param name="Classes">1 where the probability is at least 0.5, else 0.</param>
/// <param name="Version">The model's version.</param>
/// <param name="ModelDate">When the model was published.</param>
/// <param name="Model">The model's kind (logistic or mlp).</param>
/// <param name="Demo">True when the model was trained on seeded demo data.</param>
public sealed record PredictionResult(float[] Probabilities, int[] Classes, string Version, string ModelDate, string Model, bool Demo);

/// <summary>What <c>POST /api/predict/diabetes</c> answers: the job's result with the job's id and the worker that ran it.</summary>
public sealed record PredictionAnswer(
    Guid JobId, string? Worker, float[] Probabilities, int[] Classes, string Version, string ModelDate, string Model, bool Demo)
{
    /// <summary>The answer for job <paramref name="jobId"/> run by <paramref name="worker"/>.</summary>
    public static PredictionAnswer From(Guid jobId, string? worker, PredictionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(jobId, worker, result.Probabilities, result.Classes, result.Version, result.ModelDate, result.Model, result.Demo);
    }
}

/// <summary>Source-generated JSON for the prediction records (camelCase, as the web defaults).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PredictionResult))]
[System.Text.Json.Serialization.JsonSerializable(typeof(PredictionAnswer))]
public sealed partial class PredictionJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Parses and validates <c>{"rows": [[...], ...]}</c>.</summary>
public static class PredictRequest
{
    /// <summary>Largest number of rows in one request.</summary>
    public const int MaxRows = 10_000;

    /// <summary>Why the payload cannot be scored (naming the row and feature), or null with the rows.</summary>
    public static string? Parse(JsonElement payload, out float[][] rows)
    {
        rows = [];
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("rows", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return "The body must be {\"rows\": [[8 numbers], ...]} with features " + string.Join(", ", Features.Names) + ".";
        }

        var count = list.GetArrayLength();
        if (count == 0 || count > MaxRows)
        {
            return $"Send from 1 to {MaxRows:N0} rows; got {count:N0}.";
        }

        var result = new float[count][];
        var r = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Array)
            {
                return $"rows[{r}] must be a list of {Features.Names.Count} numbers.";
            }

            var row = new float[item.GetArrayLength()];
            var c = 0;
            foreach (var value in item.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out row[c]))
                {
                    return $"rows[{r}]: {(c < Features.Names.Count ? Features.Names[c] : $"value {c}")} must be a number.";
                }

                c++;
            }

            if (Features.Check(row, r) is { } problem)
            {
                return problem;
            }

            result[r++] = row;
        }

        rows = result;
        return null;
    }
}
