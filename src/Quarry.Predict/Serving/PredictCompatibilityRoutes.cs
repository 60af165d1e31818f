using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Jobs;
using Quarry.Jobs.Model;
using Quarry.Predict.Model;

namespace Quarry.Predict.Serving;

/// <summary>
/// The original service's routes, kept as they were for its users (everything else of the capability is under
/// <c>/api/predict</c>): <c>/predictions</c> (a form; on POST the held-out rows go through the workers and a
/// True/Predicted table is shown with the accuracy) and <c>/accuracy</c> (the same run, summarised).
/// </summary>
public static class PredictCompatibilityRoutes
{
    /// <summary>Maps GET and POST of both pages.</summary>
    public static IEndpointRouteBuilder MapPredictCompatibilityRoutes(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, title) in new[] { ("/predictions", "Predictions"), ("/accuracy", "Accuracy") })
        {
            endpoints.MapGet(path, (ModelSwap<DiabetesModel> swap) => Page(title, Form(path, swap.Current))).ExcludeFromDescription();
            endpoints.MapPost(path, (ModelSwap<DiabetesModel> swap, JobService jobs, CancellationToken ct) => RunAsync(path, title, swap, jobs, ct))
                .ExcludeFromDescription().DisableAntiforgery();
        }

        return endpoints;
    }

    private static async Task<IResult> RunAsync(string path, string title, ModelSwap<DiabetesModel> swap, JobService jobs, CancellationToken ct)
    {
        var loaded = swap.Current;
        if (loaded is null)
        {
            return Page(title, "<p class=\"error\">No diabetes model is loaded yet; training may still be running. Try again shortly.</p>", 503);
        }

        var rows = loaded.Model.HeldOutRows;
        var payload = JsonSerializer.SerializeToElement(new { rows });
        JobRecord? done;
        try
        {
            var job = await jobs.SubmitAsync(PredictJobHandler.JobType, payload, ct);
            done = await jobs.WaitAsync(job.Id, PredictApi.Deadline, ct);
        }
        catch (Quarry.Jobs.Backends.JobBackendUnavailableException e)
        {
            return Page(title, $"<p class=\"error\">The job backend is unavailable: {Html(e.Message)}</p>", 503);
        }

        if (done is not { Status: JobStatus.Complete, Result: { } result })
        {
            return Page(title, $"<p class=\"error\">The prediction job did not complete ({Html(done?.Status ?? "unknown")}: {Html(done?.Error ?? "")}).</p>", 503);
        }

        using var answer = JsonDocument.Parse(result);
        var predicted = answer.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()).ToArray();
        var truth = loaded.Model.HeldOutLabels;
        var correct = truth.Where((t, i) => t == predicted[i]).Count();
        var html = new StringBuilder();
        html.Append(Banner(loaded.Model));
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"accuracy\">Accuracy on {truth.Count} held-out rows: <strong id=\"accuracy\">{100.0 * correct / truth.Count:F2}%</strong> ");
        html.Append(CultureInfo.InvariantCulture, $"(always predicting the majority class: {100 * loaded.Model.MajorityAccuracy:F2}%). Computed by worker <code>{Html(done.Worker ?? "")}</code> in job <code>{done.Id}</code>.</p>");
        if (path == "/accuracy")
        {
            var tp = truth.Where((t, i) => t == 1 && predicted[i] == 1).Count();
            var fp = truth.Where((t, i) => t == 0 && predicted[i] == 1).Count();
            var tn = truth.Where((t, i) => t == 0 && predicted[i] == 0).Count();
            var fn = truth.Where((t, i) => t == 1 && predicted[i] == 0).Count();
            html.Append(CultureInfo.InvariantCulture, $"<table id=\"confusion\"><tr><th></th><th>Predicted 1</th><th>Predicted 0</th></tr><tr><th>True 1</th><td>{tp}</td><td>{fn}</td></tr><tr><th>True 0</th><td>{fp}</td><td>{tn}</td></tr></table>");
            html.Append("<h2>Cross-validated candidates</h2><table><tr><th>Model</th><th>Accuracy</th><th>ROC AUC</th></tr>");
            foreach (var c in loaded.Model.Candidates)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html(c.Kind)}{(c.Kind == loaded.Model.Kind ? " (chosen)" : "")}</td><td>{100 * c.MeanAccuracy:F2}% ± {100 * c.StdAccuracy:F2}</td><td>{c.MeanAuc:F3}</td></tr>");
            }

            html.Append("</table>");
        }
        else
        {
            html.Append("<table id=\"predictions\"><tr><th>#</th><th>True</th><th>Predicted</th></tr>");
            for (var i = 0; i < truth.Count; i++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr{(truth[i] == predicted[i] ? "" : " class=\"miss\"")}><td>{i + 1}</td><td>{truth[i]}</td><td>{predicted[i]}</td></tr>");
            }

            html.Append("</table>");
        }

        return Page(title, html.ToString());
    }

    private static string Form(string path, LoadedModel<DiabetesModel>? loaded) =>
        (loaded is null ? "<p class=\"muted\">The model is still training.</p>" : Banner(loaded.Model)) +
        $"<form method=\"post\" action=\"{path}\"><p>Run the {(loaded?.Model.HeldOutRows.Count ?? 0)} held-out rows through the prediction workers.</p>" +
        "<button type=\"submit\" id=\"run\">Submit</button></form>";

    private static string Banner(DiabetesModel model) => model.Demo
        ? "<p class=\"demo\" id=\"demo\">Demo data: this model was trained on generated rows, not a real dataset. Set Quarry__Predict__Dataset or run quarry train diabetes.</p>"
        : $"<p class=\"muted\">Trained on {Html(model.Source)} ({Html(model.Kind)}).</p>";

    private static IResult Page(string title, string body, int status = 200) => HtmlPage.Content(title, "Diabetes " + title.ToLowerInvariant(), body, status);

    private static string Html(string text) => HtmlPage.Encode(text);
}
