using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Hosting;
using Quarry.Vision.Datasets;

namespace Quarry.Vision.Service;

/// <summary>The original service's routes: <c>POST /img-classification/free|premium</c> and <c>GET /config</c>, plus the job views.</summary>
public static class ClassificationApi
{
    private const string Expected = "{\"dataset\": \"mnist\"} or {\"dataset\": \"kmnist\"}";

    /// <summary>The answer to a submission (field names as the original's clients expect, plus what they need next).</summary>
    public sealed record Submitted(string Id, string Tier, string Model, string Dataset, string Name, string Namespace, string Status);

    /// <summary>The pods of the deployment.</summary>
    public sealed record Config(IReadOnlyList<PodInfo> Pods);

    /// <summary>A page of jobs, newest first.</summary>
    public sealed record JobList(IReadOnlyList<ClassificationJob> Jobs);

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/img-classification").WithTags("Classification").AddEndpointFilter(ExecutorDown);
        var metrics = endpoints.ServiceProvider.GetRequiredService<ClassificationMetrics>();
        group.MapPost("/free", (HttpRequest request, IClassificationExecutor executor, CancellationToken ct) => SubmitAsync(Tier.Free, request, executor, metrics, ct))
            .WithName("SubmitFreeClassification").WithSummary("Start a free-tier training job (feed-forward net; at most 2 run at once): {\"dataset\":\"mnist\"|\"kmnist\"}.");
        group.MapPost("/premium", (HttpRequest request, IClassificationExecutor executor, CancellationToken ct) => SubmitAsync(Tier.Premium, request, executor, metrics, ct))
            .WithName("SubmitPremiumClassification").WithSummary("Start a premium training job (convolutional net; no tier limit): {\"dataset\":\"mnist\"|\"kmnist\"}.");
        group.MapGet("/jobs", ListAsync).WithName("ListClassificationJobs").WithSummary("Classification jobs, newest first, with status and progress.");
        group.MapGet("/jobs/{id}", GetAsync).WithName("GetClassificationJob")
            .WithSummary("One job: status (a pod phase), progress (epoch, step, last loss, loss curve) and the accuracy once finished.");
        endpoints.MapGet("/config", (IClassificationExecutor executor) => TypedResults.Ok(new Config(executor.Pods())))
            .WithTags("Classification").WithName("ClassificationConfig")
            .WithSummary("Every pod of the deployment: {\"pods\":[{\"node\",\"ip\",\"namespace\",\"name\",\"status\"}]}; served from a cache.");
        return endpoints;
    }

    internal static async Task<Results<Ok<Submitted>, ProblemHttpResult>> SubmitAsync(
        Tier tier, HttpRequest request, IClassificationExecutor executor, ClassificationMetrics metrics, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonRequest.ReadObjectAsync(request, Expected, cancellationToken);
        if (document is null)
        {
            return Invalid(problem!);
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("dataset", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return Invalid($"'dataset' must be a string: {Expected}.");
            }

            if (DigitDataset.Find(value.GetString()) is not { } dataset)
            {
                return Invalid($"Unknown dataset '{Clip(value.GetString())}'; use one of {DigitDataset.Names}.");
            }

            var job = await executor.SubmitAsync(tier, dataset.Name, cancellationToken);
            metrics.Submitted(job.Tier);
            return TypedResults.Ok(new Submitted(job.Id, job.Tier, job.Model, job.Dataset, job.Name, job.Namespace, job.Status));
        }
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

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid classification request");

    private static string Clip(string? text) => text is null ? "" : text.Length <= 64 ? text : text[..64] + "…";
}
