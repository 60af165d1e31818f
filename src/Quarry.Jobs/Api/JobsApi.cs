using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Hosting;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Api;

/// <summary>The <c>/jobs</c> endpoints (S4).</summary>
public static class JobsApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    private static readonly JsonElement EmptyObject = JsonSerializer.SerializeToElement(new { });

    /// <summary>Maps submit, get, list, counts, cancel and the list of types.</summary>
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup("/jobs").WithTags("Jobs").AddEndpointFilter(BackendDown);
        jobs.MapPost("", SubmitAsync).WithName("SubmitJob")
            .WithSummary("Submit a job: {\"start\",\"end\"} with any JSON values for the original job, or {\"type\",\"payload\"} for any registered type.");
        jobs.MapGet("/counts", CountAsync).WithName("CountJobs")
            .WithSummary("How many jobs are in each status: {\"submitted\":n,\"in progress\":n,\"complete\":n,\"failed\":n,\"cancelled\":n}.");
        jobs.MapGet("/{id:guid}", GetAsync).WithName("GetJob").WithSummary("A job's record: status, worker, attempts, times, result or error.");
        jobs.MapGet("", ListAsync).WithName("ListJobs").WithSummary("Jobs newest first, optionally of one status; page with the returned cursor.");
        jobs.MapPost("/{id:guid}/cancel", CancelAsync).WithName("CancelJob").WithSummary("Cancel a job that has not started.");
        jobs.MapDelete("/{id:guid}", CancelAsync).WithName("DeleteJob").WithSummary("Same as cancel.");
        jobs.MapGet("/workers", WorkersAsync).WithName("JobWorkers")
            .WithSummary("Workers whose heartbeat reached the job store in the last minute, with when each was last seen.");
        jobs.MapGet("/types", (JobService service) => TypedResults.Ok(new { types = service.Types })).WithName("JobTypes")
            .WithSummary("The job types workers can run.");
        return endpoints;
    }

    private const string SubmitBody = "{\"start\": \"go!\", \"end\": \"stop!\"} or {\"type\": \"...\", \"payload\": {...}}";

    internal static async Task<Results<Ok<JobView>, Ok<SubmittedRange>, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, JobService service, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonRequest.ReadObjectAsync(request, SubmitBody, cancellationToken);
        if (document is null)
        {
            return Invalid(problem!);
        }

        using (document)
        {
            var root = document.RootElement;
            try
            {
                if (!root.TryGetProperty("type", out var type))
                {
                    var range = await service.SubmitAsync("range", root, cancellationToken);
                    return TypedResults.Ok(new SubmittedRange(range.Id, range.Status, root.GetProperty("start").Clone(), root.GetProperty("end").Clone()));
                }

                if (type.ValueKind != JsonValueKind.String)
                {
                    return Invalid("'type' must be a string.");
                }

                var payload = root.TryGetProperty("payload", out var p) ? p : EmptyObject;
                var record = await service.SubmitAsync(type.GetString()!, payload, cancellationToken);
                return TypedResults.Ok(JobView.From(record));
            }
            catch (InvalidJobException e)
            {
                return Invalid(e.Message);
            }
        }
    }

    internal static async Task<Ok<Dictionary<string, long>>> CountAsync(JobService service, CancellationToken cancellationToken)
    {
        var counts = await service.CountAsync(cancellationToken);
        return TypedResults.Ok(JobStatus.All.ToDictionary(s => s, s => counts.GetValueOrDefault(s), StringComparer.Ordinal));
    }

    internal static async Task<Ok<WorkersView>> WorkersAsync(JobService service, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok(new WorkersView(await service.ListWorkersAsync(clock.GetUtcNow() - Telemetry.JobGauges.SeenWithin, cancellationToken),
            Telemetry.JobGauges.SeenWithin));

    internal static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetAsync(Guid id, JobService service, CancellationToken cancellationToken) =>
        await service.GetAsync(id, cancellationToken) is { } record ? TypedResults.Ok(JobView.From(record)) : NotFound(id);

    internal static async Task<Results<Ok<JobListView>, ProblemHttpResult>> ListAsync(
        JobService service, string? status, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (status is not null && !JobStatus.All.Contains(status))
        {
            return Invalid($"'status' must be one of: {string.Join(", ", JobStatus.All)}.");
        }

        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > MaxLimit))
        {
            return Invalid($"'limit' must be a whole number from 1 to {MaxLimit}.");
        }

        if (cursor is { Length: > 200 })
        {
            return Invalid("'cursor' is not one this server returned.");
        }

        try
        {
            var page = await service.ListAsync(new JobQuery(status, take, string.IsNullOrEmpty(cursor) ? null : cursor), cancellationToken);
            return TypedResults.Ok(new JobListView(page.Jobs.Select(JobView.From).ToArray(), page.NextCursor));
        }
        catch (ArgumentException)
        {
            return Invalid("'cursor' is not one this server returned.");
        }
    }

    internal static async Task<Results<Ok<JobView>, ProblemHttpResult>> CancelAsync(Guid id, JobService service, CancellationToken cancellationToken)
    {
        var record = await service.CancelAsync(id, cancellationToken);
        if (record is null)
        {
            return NotFound(id);
        }

        return record.Status == JobStatus.Cancelled
            ? TypedResults.Ok(JobView.From(record))
            : TypedResults.Problem($"Job {id} is {record.Status}; only a job that has not started can be cancelled.",
                statusCode: StatusCodes.Status409Conflict, title: "Job cannot be cancelled");
    }

    /// <summary>Answers 503 with the reason while the job backend is unreachable.</summary>
    public static readonly Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> BackendDown =
        Unavailable.When(e => e is JobBackendUnavailableException, "Job backend unavailable", e => $"The job backend is unavailable: {e.Message}");

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid job request");

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"No job has id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Job not found");
}
