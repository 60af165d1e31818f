using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Hosting;
using Quarry.Vision.Datasets;

namespace Quarry.Vision.Service;

/// <summary>
/// The original service's routes, kept as they were for its users: <c>POST /img-classification/free|premium</c> and
/// <c>GET /config</c>. Everything else of the capability is under <c>/api/vision</c> (<see cref="VisionApi"/>).
/// </summary>
public static class VisionCompatibilityRoutes
{
    private const string Expected = "{\"dataset\": \"mnist\"} or {\"dataset\": \"kmnist\"}";

    /// <summary>The answer to a submission (field names as the original's clients expect, plus what they need next).</summary>
    public sealed record Submitted(string Id, string Tier, string Model, string Dataset, string Name, string Namespace, string Status);

    /// <summary>The pods of the deployment.</summary>
    public sealed record Config(IReadOnlyList<PodInfo> Pods);

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapVisionCompatibilityRoutes(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/img-classification").WithTags("Vision").AddEndpointFilter(VisionApi.ExecutorDown);
        var metrics = endpoints.ServiceProvider.GetRequiredService<ClassificationMetrics>();
        group.MapPost("/free", (HttpRequest request, IClassificationExecutor executor, CancellationToken ct) => SubmitAsync(Tier.Free, request, executor, metrics, ct))
            .WithName("SubmitFreeClassification").WithSummary("Start a free-tier training job (feed-forward net; at most 2 run at once): {\"dataset\":\"mnist\"|\"kmnist\"}.");
        group.MapPost("/premium", (HttpRequest request, IClassificationExecutor executor, CancellationToken ct) => SubmitAsync(Tier.Premium, request, executor, metrics, ct))
            .WithName("SubmitPremiumClassification").WithSummary("Start a premium training job (convolutional net; no tier limit): {\"dataset\":\"mnist\"|\"kmnist\"}.");
        endpoints.MapGet("/config", (IClassificationExecutor executor) => TypedResults.Ok(new Config(executor.Pods())))
            .WithTags("Vision").WithName("ClassificationConfig")
            .WithSummary("Every pod of the deployment: {\"pods\":[{\"node\",\"ip\",\"namespace\",\"name\",\"status\"}]}; served from a cache.");
        return endpoints;
    }

    internal static async Task<Results<Ok<Submitted>, ProblemHttpResult>> SubmitAsync(
        Tier tier, HttpRequest request, IClassificationExecutor executor, ClassificationMetrics metrics, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonRequest.ReadObjectAsync(request, Expected, cancellationToken);
        if (document is null)
        {
            return VisionApi.Invalid(problem!);
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("dataset", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return VisionApi.Invalid($"'dataset' must be a string: {Expected}.");
            }

            if (DigitDataset.Find(value.GetString()) is not { } dataset)
            {
                return VisionApi.Invalid($"Unknown dataset '{VisionApi.Clip(value.GetString())}'; use one of {DigitDataset.Names}.");
            }

            var job = await executor.SubmitAsync(tier, dataset.Name, cancellationToken);
            metrics.Submitted(job.Tier);
            return TypedResults.Ok(new Submitted(job.Id, job.Tier, job.Model, job.Dataset, job.Name, job.Namespace, job.Status));
        }
    }
}
