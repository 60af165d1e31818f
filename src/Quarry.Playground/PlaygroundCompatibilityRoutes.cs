using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Quarry.Core.Hosting;

namespace Quarry.Playground;

/// <summary>
/// The original service's routes, kept as they were for its users (the playground has no others): <c>POST /py/eval</c>
/// (the evaluator), <c>GET /py/eval</c> (a hint), and the playground page <c>GET/POST /python</c>.
/// </summary>
public static class PlaygroundCompatibilityRoutes
{
    private const string Usage = """
        POST a JSON body {"code": "print(5)"} to this URL (any content type) to run Python in a fresh sandbox.
        The answer is {"stdout", "stderr", "exitCode", "timedOut", "truncated", "durationMs"}; Python errors are in stderr with status 200.
        The playground page is at /python.

        """;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapPlaygroundCompatibilityRoutes(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/py/eval", EvalAsync).WithTags("Playground").WithName("EvalPython")
            .WithSummary("Runs {\"code\": \"...\"} (any content type) in a fresh sandbox; answers stdout, stderr, exitCode, timedOut, truncated, durationMs.");
        endpoints.MapGet("/py/eval", () => Results.Text(Usage, "text/plain; charset=utf-8")).WithTags("Playground").WithName("EvalPythonUsage")
            .WithSummary("Says how to use POST /py/eval.");
        endpoints.MapGet("/python", PageAsync).WithTags("Playground").WithName("PythonPage").WithSummary("The playground page.");
        endpoints.MapPost("/python", FormAsync).WithTags("Playground").WithName("RunPythonFromPage")
            .WithSummary("Runs a form field code or a JSON {\"code\"} through the evaluator (local or Quarry__Playground__EvaluatorUrl); HTML for browser forms, JSON otherwise.")
            .DisableAntiforgery();
        return endpoints;
    }

    internal static async Task<IResult> EvalAsync(HttpContext context, IPythonEvaluator evaluator, IOptions<PlaygroundOptions> settings, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(context.Request, ct);
        var (code, problem) = ParseJson(body, settings.Value.MaxCodeBytes);
        return problem ?? await RunAsync(context, evaluator, code!, ct);
    }

    private static async Task<IResult> FormAsync(HttpContext context, IPythonEvaluator evaluator, IOptions<PlaygroundOptions> settings, CancellationToken ct)
    {
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            return await EvalAsync(context, evaluator, settings, ct);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not BadHttpRequestException)
        {
            // A truncated multipart body surfaces as an IOException; Kestrel's own refusals (413) keep their status.
            return Invalid($"The form could not be read: {e.Message}");
        }

        bool html = Accepts(request, "text/html");
        var values = form["code"];
        var (code, problem) = values.Count != 1 || values[0] is null
            ? (null, Invalid("The form needs exactly one field named code."))
            : CheckSize(values[0]!, settings.Value.MaxCodeBytes);
        if (!html)
        {
            return problem ?? await RunAsync(context, evaluator, code!, ct);
        }

        if (problem is not null)
        {
            return Page(code ?? "", $"<p class=\"error\" role=\"alert\">{Html(ProblemText(problem))}</p>", StatusOf(problem));
        }

        try
        {
            var result = await evaluator.EvaluateAsync(code!, ct);
            return Page(code!, Render(result));
        }
        catch (EvaluatorException e)
        {
            SetRetryAfter(context, e);
            return Page(code!, $"<p class=\"error\" role=\"alert\">{Html(e.Title)}: {Html(e.Message)}</p>", e.StatusCode);
        }
    }

    private static IResult PageAsync(IWebHostEnvironment environment)
    {
        var file = environment.WebRootFileProvider.GetFileInfo("python.html");
        return file.Exists && file.PhysicalPath is { } path
            ? Results.File(path, "text/html; charset=utf-8")
            : TypedResults.Problem("The playground page is not installed with this server.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
    }

    private static async Task<IResult> RunAsync(HttpContext context, IPythonEvaluator evaluator, string code, CancellationToken ct)
    {
        try
        {
            return TypedResults.Json(await evaluator.EvaluateAsync(code, ct), contentType: "application/json");
        }
        catch (EvaluatorException e)
        {
            SetRetryAfter(context, e);
            return TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: e.Title);
        }
    }

    /// <summary>Reads <c>{"code": "..."}</c>; anything else is a 400 (or 413 for code over the limit) naming what is wrong.</summary>
    internal static (string? Code, IResult? Problem) ParseJson(ReadOnlyMemory<byte> body, int maxCodeBytes)
    {
        var (doc, problem) = JsonRequest.ParseObject(body, "{\"code\": \"...\"}");
        if (doc is null)
        {
            return (null, Invalid(problem!));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("code", out var code))
            {
                return (null, Invalid("The body has no \"code\" field."));
            }

            if (code.ValueKind != JsonValueKind.String)
            {
                return (null, Invalid($"\"code\" must be a string, not {JsonRequest.Describe(code.ValueKind)}."));
            }

            return CheckSize(code.GetString()!, maxCodeBytes);
        }
    }

    private static (string? Code, IResult? Problem) CheckSize(string code, int maxCodeBytes)
    {
        int bytes = Encoding.UTF8.GetByteCount(code);
        return bytes > maxCodeBytes
            ? (null, TypedResults.Problem(
                string.Create(CultureInfo.InvariantCulture, $"The code is {bytes} bytes; the limit is {maxCodeBytes} (Quarry__Playground__MaxCodeBytes)."),
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Code too large"))
            : (code, null);
    }

    private static IResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid playground request");

    private static void SetRetryAfter(HttpContext context, EvaluatorException e)
    {
        if (e.RetryAfter is { } delay)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static bool Accepts(HttpRequest request, string mediaType) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));

    private static int StatusOf(IResult problem) => problem is IStatusCodeHttpResult { StatusCode: { } status } ? status : 400;

    private static string ProblemText(IResult problem) =>
        problem is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult p ? $"{p.ProblemDetails.Title}: {p.ProblemDetails.Detail}" : "Invalid request";

    private static string Render(EvalResult r)
    {
        var status = r.TimedOut ? "timed out" : $"exit {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"status\" class=\"muted\">{status} · {r.DurationMs:0.0} ms{(r.Truncated ? " · output truncated" : "")}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<pre id=\"stdout\" class=\"output\">{Html(r.Stdout)}</pre>");
        if (r.Stderr.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<pre id=\"stderr\" class=\"output error\">{Html(r.Stderr)}</pre>");
        }

        return html.ToString();
    }

    private static IResult Page(string code, string output, int status = 200) => HtmlPage.Content("Python", "Python playground",
        "<form method=\"post\" action=\"/python\">" +
        $"<textarea id=\"code\" name=\"code\" class=\"code\" rows=\"12\" spellcheck=\"false\">{Html(code)}</textarea>" +
        $"<p><button type=\"submit\" id=\"run\">Run</button></p></form>{output}", status);

    private static string Html(string text) => HtmlPage.Encode(text);
}
