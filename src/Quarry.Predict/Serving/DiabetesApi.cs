using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Hosting;
using Quarry.Jobs;
using Quarry.Jobs.Model;

namespace Quarry.Predict.Serving;

/// <summary><c>POST /api/diabetes/predict</c>: validates rows, enqueues a prediction job and awaits its result with a deadline.</summary>
public static class DiabetesApi
{
    /// <summary>How long a request waits for its prediction before answering 202 with the job id.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapDiabetesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/diabetes/predict", PredictAsync).AddEndpointFilter(Quarry.Jobs.Api.JobsApi.BackendDown).WithTags("Predictions").WithName("PredictDiabetes")
            .WithSummary("Probabilities and classes for rows of 8 features, computed by a job worker; ?wait=false returns the job id at once.");
        return endpoints;
    }

    internal static async Task<IResult> PredictAsync(HttpRequest request, JobService jobs, string? wait, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(request, ct);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return Invalid(body.IsEmpty ? "A JSON body {\"rows\": [[8 numbers], ...]} is required." : $"The body is not valid JSON: {e.Message}");
        }

        using (doc)
        {
            if ((JsonStrings.LoneSurrogateProblem(doc.RootElement) ?? PredictRequest.Parse(doc.RootElement, out _)) is { } problem)
            {
                return Invalid(problem);
            }

            var job = await jobs.SubmitAsync(PredictJobHandler.JobType, doc.RootElement, ct);
            if (string.Equals(wait, "false", StringComparison.OrdinalIgnoreCase))
            {
                return TypedResults.Accepted($"/jobs/{job.Id}", new { id = job.Id, status = job.Status });
            }

            var done = await jobs.WaitAsync(job.Id, Deadline, ct);
            return done switch
            {
                { Status: JobStatus.Complete, Result: { } result } => Results.Text(
                    result.Insert(1, $"\"jobId\":\"{job.Id}\",\"worker\":{JsonSerializer.Serialize(done.Worker)},"), "application/json"),
                { Status: JobStatus.Failed } => TypedResults.Problem($"The prediction job failed: {done.Error}", statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Prediction failed"),
                _ => TypedResults.Accepted($"/jobs/{job.Id}", new { id = job.Id, status = done?.Status, detail = "Still running; poll the job." }),
            };
        }
    }

    private static IResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid prediction request");
}
