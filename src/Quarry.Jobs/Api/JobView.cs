using System.Text.Json;
using System.Text.Json.Serialization;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Api;

/// <summary>A job record as the API shows it; payload and result are embedded as JSON, and range jobs show start/end at the top level as the original API did.</summary>
public sealed record JobView(
    Guid Id,
    string Type,
    string Status,
    string? Worker,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JsonElement Payload,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Start,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? End,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceId)
{
    /// <summary>Builds the view of a record.</summary>
    public static JobView From(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var payload = Parse(record.Payload) ?? default;
        JsonElement? start = null, end = null;
        if (record.Type == "range" && payload.ValueKind == JsonValueKind.Object)
        {
            start = payload.TryGetProperty("start", out var s) ? s : null;
            end = payload.TryGetProperty("end", out var e) ? e : null;
        }

        return new JobView(record.Id, record.Type, record.Status, record.Worker, record.Attempts, record.CreatedAt, record.StartedAt,
            record.FinishedAt, payload, Parse(record.Result), record.Error, start, end, TraceIdOf(record.TraceParent));
    }

    /// <summary>The trace id inside a W3C traceparent (<c>00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;</c>), to find the job's trace.</summary>
    private static string? TraceIdOf(string? traceParent) =>
        traceParent is { Length: 55 } && traceParent[2] == '-' && traceParent[35] == '-' ? traceParent[3..35] : null;

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json); // stored text that is not JSON is shown as a string
        }
    }
}

/// <summary>What <c>POST /jobs</c> answers for the original <c>{"start","end"}</c> body: the original's shape, values echoed as given.</summary>
public sealed record SubmittedRange(Guid Id, string Status, JsonElement Start, JsonElement End);

/// <summary>Workers heard from recently, most recent first.</summary>
public sealed record WorkersView(IReadOnlyList<WorkerSeen> Workers, TimeSpan Within);

/// <summary>A page of jobs.</summary>
public sealed record JobListView(IReadOnlyList<JobView> Jobs, string? NextCursor);
