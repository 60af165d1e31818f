using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quarry.Probe;

/// <summary>Availability and latency client for the recommendation endpoint.</summary>
internal sealed class ProbeClient(HttpClient http, TextWriter output, TextWriter error, TimeProvider clock)
{
    /// <summary>One request: prints the server version, model date and recommendations. Returns the exit code.</summary>
    public async Task<int> OnceAsync(ProbeSettings settings, CancellationToken cancellationToken)
    {
        var (answer, failure, _) = await AskAsync(settings, cancellationToken);
        if (answer is null)
        {
            await error.WriteLineAsync($"Request to {settings.Endpoint} failed: {failure}");
            return 1;
        }

        await output.WriteLineAsync($"Recommendation server v{answer.Version} with model from {answer.ModelDate}.");
        await output.WriteLineAsync("Song recommendations:");
        foreach (var song in answer.Songs)
        {
            await output.WriteLineAsync("    " + song);
        }

        return 0;
    }

    /// <summary>Requests every interval and prints CSV rows until cancelled or the duration ends, then a summary.</summary>
    public async Task<int> ContinuousAsync(ProbeSettings settings, CancellationToken cancellationToken)
    {
        var stats = new ProbeStatistics();
        string? previous = null;
        await output.WriteLineAsync("timestamp,response_ms,version,model_date");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        using var timer = new PeriodicTimer(settings.Interval, clock);
        try
        {
            do
            {
                var at = clock.GetUtcNow();
                var (answer, failure, elapsed) = await AskAsync(settings, stop.Token);
                string row;
                if (answer is null)
                {
                    stats.Failure(at);
                    row = $"error,{Csv(failure ?? "unknown")}";
                }
                else
                {
                    stats.Success(at, elapsed);
                    row = $"{Csv(answer.Version)},{Csv(answer.ModelDate)}";
                }

                if (!settings.ChangesOnly || row != previous)
                {
                    await output.WriteLineAsync(
                        $"{at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)},{elapsed.ToString("F1", CultureInfo.InvariantCulture)},{row}");
                    await output.FlushAsync(CancellationToken.None);
                }

                previous = row;
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or the end of --duration: report what was seen.
        }

        stats.Finish(clock.GetUtcNow());
        await error.WriteLineAsync(
            $"requests={stats.Requests} failures={stats.Failures} longest_failure_window_ms={stats.LongestFailureWindow.TotalMilliseconds:F0} " +
            $"p50_ms={stats.Percentile(50):F1} p99_ms={stats.Percentile(99):F1}");
        return 0;
    }

    private async Task<(Answer? Answer, string? Failure, double ElapsedMs)> AskAsync(ProbeSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            using var response = await http.PostAsJsonAsync(settings.Endpoint, new { songs = settings.Songs }, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode} {Detail(body)}", elapsed);
            }

            var wire = JsonSerializer.Deserialize<Wire>(body, JsonSerializerOptions.Web);
            return wire is { Songs: { } songs, Version: { } version, ModelDate: { } modelDate }
                ? (new Answer(songs, version, modelDate), null, elapsed)
                : (null, "the answer lacks songs, version or model_date", elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {settings.Timeout.TotalSeconds:F1} s", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException)
        {
            return (null, e.Message, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static string Detail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private sealed record Answer(string[] Songs, string Version, string ModelDate);

    private sealed record Wire(
        string[]? Songs,
        string? Version,
        [property: JsonPropertyName("model_date")] string? ModelDate);
}
