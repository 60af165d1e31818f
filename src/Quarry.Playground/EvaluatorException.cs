namespace Quarry.Playground;

/// <summary>The evaluator could not run the code: busy, unreachable or refusing. Carries the HTTP status to answer with.</summary>
public sealed class EvaluatorException(int statusCode, string title, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>HTTP status for the caller: 503 busy, 502 remote evaluator unreachable, or a remote evaluator's own 4xx.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>Short problem title.</summary>
    public string Title { get; } = title;

    /// <summary>When set, a sensible time to wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    internal static EvaluatorException Busy(string message, TimeSpan retryAfter) => new(503, "Playground busy", message, retryAfter);
}
