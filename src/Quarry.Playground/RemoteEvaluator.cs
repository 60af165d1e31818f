using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Quarry.Playground;

/// <summary>Forwards runs to another server's <c>POST /py/eval</c>, so the UI and the evaluator can be deployed apart.</summary>
public sealed class RemoteEvaluator : IPythonEvaluator
{
    private readonly HttpClient _http;

    /// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the evaluator's base address.</param>
    public RemoteEvaluator(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(http.BaseAddress);
        _http = http;
    }

    /// <inheritdoc/>
    public async Task<EvalResult> EvaluateAsync(string code, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(code);
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync("py/eval", new { code }, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e.Message, e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw Unreachable($"no answer within {_http.Timeout.TotalSeconds:0.#} s", e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<EvalResult>(ct).ConfigureAwait(false)
                        ?? throw Unreachable("it answered an empty result", null);
                }
                catch (JsonException e)
                {
                    throw Unreachable($"its answer is not a result: {e.Message}", e);
                }
            }

            var (title, detail) = await ReadProblemAsync(response, ct).ConfigureAwait(false);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            int status = (int)response.StatusCode;
            // The evaluator's 4xx describe the caller's input; anything else is the evaluator's trouble, reported as a bad gateway.
            return status is >= 400 and < 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable
                ? throw new EvaluatorException(status, title ?? "Evaluator refused the run", detail ?? $"The evaluator answered {status}.", retryAfter)
                : throw Unreachable($"it answered {status}{(detail is null ? "" : ": " + detail)}", null);
        }
    }

    private EvaluatorException Unreachable(string why, Exception? inner) =>
        new(502, "Python evaluator unavailable", $"The Python evaluator at {_http.BaseAddress} could not run the code: {why}.", inner: inner);

    private static async Task<(string? Title, string? Detail)> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            string? Text(string name) => doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
            return (Text("title"), Text("detail"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
