namespace Quarry.Jobs.Model;

/// <summary>What is known about one job. Payload and result are JSON text, kept as given.</summary>
public sealed record JobRecord
{
    /// <summary>Unique id, chosen at submission.</summary>
    public required Guid Id { get; init; }

    /// <summary>Registered job type, which selects the handler.</summary>
    public required string Type { get; init; }

    /// <summary>One of <see cref="JobStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>The job's input as JSON text.</summary>
    public required string Payload { get; init; }

    /// <summary>The handler's output as JSON text, once complete.</summary>
    public string? Result { get; init; }

    /// <summary>The last error, kept through retries and on failure.</summary>
    public string? Error { get; init; }

    /// <summary>The worker that ran (or is running) the latest attempt.</summary>
    public string? Worker { get; init; }

    /// <summary>How many times a worker has taken the job.</summary>
    public int Attempts { get; init; }

    /// <summary>When the job was accepted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the latest attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job reached a final state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the submitting request, so the worker's span joins its trace; null on records from before it was kept.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> that came with <see cref="TraceParent"/>, if any.</summary>
    public string? TraceState { get; init; }
}

/// <summary>A job to submit.</summary>
/// <param name="Id">Id to give it (callers make a new one; resubmitting the same id is refused).</param>
/// <param name="Type">Registered job type.</param>
/// <param name="Payload">Input as JSON text.</param>
public sealed record NewJob(Guid Id, string Type, string Payload)
{
    /// <summary>The W3C <c>traceparent</c> of the context that submits it, kept on the record for the worker.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }
}

/// <summary>A worker's claim on one attempt of a job, valid until its lease expires or is renewed.</summary>
/// <param name="Id">The job.</param>
/// <param name="Type">Its type.</param>
/// <param name="Payload">Its input as JSON text.</param>
/// <param name="Attempt">Which attempt this is (1-based); outcomes for an older attempt are ignored.</param>
/// <param name="Receipt">Backend-specific token needed to acknowledge the attempt (stream entry id, delivery tag, …).</param>
public sealed record JobLease(Guid Id, string Type, string Payload, int Attempt, string Receipt)
{
    /// <summary>When the job was accepted (for the wait-time metric); null when the backend did not say.</summary>
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>The submitter's W3C <c>traceparent</c>, the parent of the worker's span; null for jobs submitted without one.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The submitter's W3C <c>tracestate</c>.</summary>
    public string? TraceState { get; init; }
}

/// <summary>A worker and the last time it reported in.</summary>
/// <param name="Id">The worker's id (<c>--worker-id</c>, POD_NAME, ...).</param>
/// <param name="LastSeen">Its latest heartbeat.</param>
public sealed record WorkerSeen(string Id, DateTimeOffset LastSeen);

/// <summary>How an attempt ended, as reported by a worker.</summary>
public enum OutcomeKind
{
    /// <summary>The handler succeeded: record <c>complete</c> with the result.</summary>
    Complete,

    /// <summary>The handler failed but attempts remain: back to <c>submitted</c>, runnable at <see cref="JobOutcome.NotBefore"/>.</summary>
    Retry,

    /// <summary>The handler failed for the last time: record <c>failed</c> with the error.</summary>
    Fail,

    /// <summary>The worker is stopping and hands the job back unrun: <c>submitted</c>, runnable at once.</summary>
    Release,
}

/// <summary>One attempt's outcome. Applied only if the lease's attempt is still the job's current one and the record is <c>in progress</c>.</summary>
/// <param name="Lease">The attempt.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Result">Result JSON for <see cref="OutcomeKind.Complete"/>.</param>
/// <param name="Error">Error text for Retry and Fail.</param>
/// <param name="NotBefore">Earliest next run for Retry.</param>
public sealed record JobOutcome(JobLease Lease, OutcomeKind Kind, string? Result = null, string? Error = null, DateTimeOffset? NotBefore = null);

/// <summary>A listing request: newest first, optionally one status, continued with the previous page's cursor.</summary>
/// <param name="Status">Only this status, or null for all.</param>
/// <param name="Limit">Page size (1..500).</param>
/// <param name="Cursor">Opaque cursor from the previous page, or null for the first page.</param>
public sealed record JobQuery(string? Status, int Limit, string? Cursor);

/// <summary>One page of a listing.</summary>
/// <param name="Jobs">Records, newest first.</param>
/// <param name="NextCursor">Cursor for the next page, or null at the end.</param>
public sealed record JobPage(IReadOnlyList<JobRecord> Jobs, string? NextCursor);
