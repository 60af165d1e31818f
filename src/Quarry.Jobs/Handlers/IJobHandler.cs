using System.Text.Json;

namespace Quarry.Jobs.Handlers;

/// <summary>Runs one type of job. Handlers are singletons and may run concurrently.</summary>
public interface IJobHandler
{
    /// <summary>The job type this handler runs (e.g. <c>range</c>).</summary>
    string Type { get; }

    /// <summary>Checks a payload at submission; returns why it is unacceptable, or null when it is fine.</summary>
    string? Validate(JsonElement payload);

    /// <summary>Runs the job and returns its result as JSON text (or null for none). Throwing fails the attempt.</summary>
    Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler knows about the attempt it runs.</summary>
/// <param name="Id">The job.</param>
/// <param name="Payload">Its input.</param>
/// <param name="Attempt">1-based attempt number.</param>
/// <param name="Worker">The worker running it.</param>
public sealed record JobContext(Guid Id, JsonElement Payload, int Attempt, string Worker);

/// <summary>A failure that retrying cannot fix (bad input): the job fails at once instead of being retried.</summary>
public sealed class PermanentJobException(string message) : Exception(message);
