using System.Globalization;
using System.Text.Json;

namespace Quarry.Jobs.Handlers;

/// <summary>
/// The original service's job: <c>{"start": a, "end": b}</c>. The worker counts the integers from a to b
/// (inclusive) and their sum, the work its clients submitted ranges for.
/// </summary>
public sealed class RangeJobHandler : IJobHandler
{
    /// <summary>Largest accepted range, so one job cannot occupy a worker for long.</summary>
    public const long MaxSpan = 100_000_000;

    /// <inheritdoc />
    public string Type => "range";

    /// <inheritdoc />
    public string? Validate(JsonElement payload) => Parse(payload, out _, out _);

    /// <inheritdoc />
    public Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var error = Parse(context.Payload, out var start, out var end);
        if (error is not null)
        {
            throw new PermanentJobException(error);
        }

        Int128 sum = 0;
        for (var i = start; i <= end; i++)
        {
            sum += i;
            if ((i & 0xFFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return Task.FromResult<string?>(
            $"{{\"count\":{(end - start + 1).ToString(CultureInfo.InvariantCulture)},\"sum\":{sum.ToString(CultureInfo.InvariantCulture)}}}");
    }

    private static string? Parse(JsonElement payload, out long start, out long end)
    {
        start = end = 0;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return "The payload must be an object like {\"start\": 1, \"end\": 100}.";
        }

        if (!payload.TryGetProperty("start", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out start))
        {
            return "'start' must be a whole number.";
        }

        if (!payload.TryGetProperty("end", out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out end))
        {
            return "'end' must be a whole number.";
        }

        if (end < start)
        {
            return "'end' must not be less than 'start'.";
        }

        return end - start >= MaxSpan ? $"The range may hold at most {MaxSpan:N0} numbers." : null;
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
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("ms", out var ms) && ms.TryGetInt32(out var value) && value is >= 0 and <= 60_000
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
