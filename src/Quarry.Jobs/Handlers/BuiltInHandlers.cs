using System.Globalization;
using System.Text.Json;

namespace Quarry.Jobs.Handlers;

/// <summary>
/// The original service's job: <c>{"start": a, "end": b}</c> with any JSON values, kept as given. A worker takes it,
/// records itself and completes it; when both values are whole numbers it also counts the integers from a to b
/// (inclusive) and sums them.
/// </summary>
public sealed class RangeJobHandler : IJobHandler
{
    /// <inheritdoc />
    public string Type => "range";

    /// <inheritdoc />
    public string? Validate(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("start", out _) && payload.TryGetProperty("end", out _)
            ? null
            : "The body must hold 'start' and 'end', for example {\"start\": \"go!\", \"end\": \"stop!\"} or {\"start\": 1, \"end\": 100}.";

    /// <inheritdoc />
    public Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Validate(context.Payload) is { } error)
        {
            throw new PermanentJobException(error);
        }

        return Task.FromResult(Summary(context.Payload.GetProperty("start"), context.Payload.GetProperty("end")));
    }

    /// <summary><c>{"count","sum"}</c> of the integers from start to end when both are whole numbers, else null.</summary>
    internal static string? Summary(JsonElement start, JsonElement end)
    {
        if (start.ValueKind != JsonValueKind.Number || end.ValueKind != JsonValueKind.Number
            || !start.TryGetInt64(out var from) || !end.TryGetInt64(out var to))
        {
            return null;
        }

        // Closed form, so any range costs the same: count × (first + last) / 2.
        Int128 count = to < from ? 0 : (Int128)to - from + 1;
        var sum = count == 0 ? 0 : count * ((Int128)from + to) / 2;
        return $"{{\"count\":{count.ToString(CultureInfo.InvariantCulture)},\"sum\":{sum.ToString(CultureInfo.InvariantCulture)}}}";
    }
}

/// <summary>Does nothing: for measuring the job system itself.</summary>
public sealed class NoopJobHandler : IJobHandler
{
    /// <inheritdoc />
    public string Type => "noop";

    /// <inheritdoc />
    public string? Validate(JsonElement payload) => null;

    /// <inheritdoc />
    public Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary><c>{"ms": n}</c>: waits n milliseconds (at most a minute), for tests and demos of long jobs.</summary>
public sealed class SleepJobHandler(TimeProvider clock) : IJobHandler
{
    /// <inheritdoc />
    public string Type => "sleep";

    /// <inheritdoc />
    public string? Validate(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("ms", out var ms) && ms.ValueKind == JsonValueKind.Number && ms.TryGetInt32(out var value) && value is >= 0 and <= 60_000
            ? null
            : "The payload must be {\"ms\": n} with n from 0 to 60000.";

    /// <inheritdoc />
    public async Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await Task.Delay(TimeSpan.FromMilliseconds(context.Payload.GetProperty("ms").GetInt32()), clock, cancellationToken);
        return null;
    }
}
