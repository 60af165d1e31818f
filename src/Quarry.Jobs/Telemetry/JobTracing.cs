using System.Diagnostics;
using Quarry.Core.Hosting;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Telemetry;

/// <summary>
/// The job spans (activity source <c>Quarry.Jobs</c>). A submission keeps the caller's W3C trace context on the job record;
/// the worker's span for each attempt takes it as its parent, so a trace runs from the HTTP request to the worker.
/// </summary>
public static class JobTracing
{
    /// <summary>The activity source's name.</summary>
    public const string SourceName = "Quarry.Jobs";

    private static readonly ActivitySource Source = new(SourceName, QuarryInfo.Version);

    /// <summary>The W3C context of the current activity, to keep on a job being submitted; nulls outside any trace.</summary>
    public static (string? TraceParent, string? TraceState) Capture()
    {
        var current = Activity.Current;
        return current is { IdFormat: ActivityIdFormat.W3C } ? (current.Id, current.TraceStateString) : (null, null);
    }

    /// <summary>
    /// Starts the span of one attempt, child of the submitter's context when the record has one; null (and nothing done)
    /// when no listener wants it.
    /// </summary>
    public static Activity? StartAttempt(JobLease lease, string worker, string backend)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(lease.TraceParent, lease.TraceState, isRemote: true, out var parent);
        var activity = Source.StartActivity(ActivityKind.Consumer, parent, name: "job " + lease.Type);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", backend);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.message.id", lease.Id.ToString("D"));
            activity.SetTag("quarry.job.type", lease.Type);
            activity.SetTag("quarry.job.attempt", lease.Attempt);
            activity.SetTag("quarry.worker", worker);
        }

        return activity;
    }

    /// <summary>Marks the span with the attempt's outcome.</summary>
    public static void End(Activity? activity, JobOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("quarry.job.outcome", outcome.Kind.ToString().ToLowerInvariant());
        if (outcome.Kind is OutcomeKind.Retry or OutcomeKind.Fail)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome.Error);
        }
    }
}
