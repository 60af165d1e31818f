using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Hosting;
using Quarry.Jobs;
using Quarry.Jobs.Model;

namespace Quarry.Predict.Serving;

/// <summary><c>POST /api/predict/diabetes</c>: validates rows, enqueues a prediction job and awaits its result with a deadline.</summary>
public static class PredictApi
{
    /// <summary>How long a request waits for its prediction before answering 202 with the job id.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/predict/diabetes", PredictAsync).AddEndpointFilter(Quarry.Jobs.Api.JobsApi.BackendDown).WithTags("Predict").WithName("PredictDiabetes")
            .WithSummary("Probabilities and classes for rows of 8 features, computed by a job worker; ?wait=false returns the job id at once.");
        return endpoints;
    }

    internal static async Task<IResult> PredictAsync(HttpRequest request, JobService jobs, string? wait, CancellationToken ct)
    {
        var (doc, problem) = await JsonRequest.ReadObjectAsync(request, "{\"rows\": [[8 numbers], ...]}", ct);
        if (doc is null)
        {
            return Invalid(problem!);
        }

        using (doc)
        {
            if (PredictRequest.Parse(doc.RootElement, out _) is { } invalid)
            {
                return Invalid(invalid);
            }

            var job = await jobs.SubmitAsync(PredictJobHandler.JobType, doc.RootElement, ct);
            if (string.Equals(wait, "false", StringComparison.OrdinalIgnoreCase))
            {
                return TypedResults.Accepted($"/jobs/{job.Id}", new { id = job.Id, status = job.Status });
            }

            var done = await jobs.WaitAsync(job.Id, Deadline, ct);
            return done switch
            {
                { Status: JobStatus.Complete, Result: { } result } => TypedResults.Ok(
                    PredictionAnswer.From(job.Id, done.Worker, JsonSerializer.Deserialize(result, PredictionJson.Default.PredictionResult)!)),
                { Status: JobStatus.Failed } => TypedResults.Problem($"The prediction job failed: {done.Error}", statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Prediction failed"),
                _ => TypedResults.Accepted($"/jobs/{job.Id}", new { id = job.Id, status = done?.Status, detail = "Still running; poll the job." }),
            };
        }
    }

    private static IResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid prediction request");
}
