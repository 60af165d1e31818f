using System.Globalization;
using System.Text;
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
        var json = new StringBuilder(32 + (rows.Length * 16));
        json.Append("{\"probabilities\":[");
        var classes = new StringBuilder(rows.Length * 2);
        for (var i = 0; i < rows.Length; i++)
        {
            var p = loaded.Model.Predict(rows[i]);
            json.Append(i == 0 ? "" : ",").Append(p.ToString("0.######", CultureInfo.InvariantCulture));
            classes.Append(i == 0 ? "" : ",").Append(p >= 0.5f ? '1' : '0');
        }

        json.Append("],\"classes\":[").Append(classes).Append("],\"version\":\"").Append(loaded.Publication.Version)
            .Append("\",\"modelDate\":\"").Append(loaded.Publication.ModelDate).Append("\",\"model\":\"").Append(loaded.Model.Kind)
            .Append("\",\"demo\":").Append(loaded.Model.Demo ? "true" : "false").Append('}');
        return Task.FromResult<string?>(json.ToString());
    }
}

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
