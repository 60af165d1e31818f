using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Hosting;

namespace Quarry.Vision.Service;

/// <summary>
/// The capability's own routes under <c>/api/vision</c>: the job views (the original's routes are in
/// <see cref="VisionCompatibilityRoutes"/>, digit predictions in <see cref="VisionPredictionApi"/>).
/// </summary>
public static class VisionApi
{
    /// <summary>A page of jobs, newest first.</summary>
    public sealed record JobList(IReadOnlyList<ClassificationJob> Jobs);

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapVisionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/vision").WithTags("Vision").AddEndpointFilter(ExecutorDown);
        group.MapGet("/jobs", ListAsync).WithName("ListClassificationJobs").WithSummary("Classification jobs, newest first, with status and progress.");
        group.MapGet("/jobs/{id}", GetAsync).WithName("GetClassificationJob")
            .WithSummary("One job: status (a pod phase), progress (epoch, step, last loss, loss curve) and the accuracy once finished.");
        return endpoints;
    }

    internal static async Task<Results<Ok<JobList>, ProblemHttpResult>> ListAsync(IClassificationExecutor executor, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 500)
        {
            return Invalid("'limit' must be a whole number from 1 to 500.");
        }

        return TypedResults.Ok(new JobList(await executor.ListAsync(limit ?? 50, cancellationToken)));
    }

    internal static async Task<Results<Ok<ClassificationJob>, ProblemHttpResult>> GetAsync(string id, IClassificationExecutor executor, CancellationToken cancellationToken) =>
        await executor.GetAsync(id, cancellationToken) is { } job
            ? TypedResults.Ok(job)
            : TypedResults.Problem($"No classification job has id {Clip(id)}.", statusCode: StatusCodes.Status404NotFound, title: "Job not found");

    /// <summary>Answers 503 with the reason while the executor cannot take or list jobs.</summary>
    internal static readonly Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> ExecutorDown =
        Unavailable.When(e => e is ExecutorUnavailableException, "Classification jobs unavailable", e => e.Message);

    internal static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid classification request");

    internal static string Clip(string? text) => text is null ? "" : text.Length <= 64 ? text : text[..64] + "…";
}
