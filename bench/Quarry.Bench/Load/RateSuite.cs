using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Quarry.Bench.Load;

/// <summary>
/// Open-loop load at a fixed request rate (unlike wrk, which waits for answers): each request is sent on its
/// schedule whether or not earlier ones finished, so a slow server shows up as latency, not as fewer requests.
/// Reports client latency and the server's own time from its <c>Server-Timing</c> header.
/// </summary>
internal static class RateSuite
{
    /// <summary>
    /// <c>rate --url URL [--body-file F | --bodies-file F (one body per line)] [--rate 200] [--seconds 60] [--warmup 5]</c>;
    /// without a body it sends GET.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var url = Arg(args, "--url") ?? throw new ArgumentException("--url is required");
        var bodies = Arg(args, "--bodies-file") is { } many ? await File.ReadAllLinesAsync(many)
            : Arg(args, "--body-file") is { } one ? [await File.ReadAllTextAsync(one)] : [];
        var rate = double.Parse(Arg(args, "--rate") ?? "200", CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        var warmup = double.Parse(Arg(args, "--warmup") ?? "5", CultureInfo.InvariantCulture);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
        await RunPhaseAsync(http, url, bodies, rate, warmup, record: false);
        var (client, server, failures, sent) = await RunPhaseAsync(http, url, bodies, rate, seconds, record: true);

        Console.WriteLine($"target {url} at {rate:F0} req/s for {seconds:F0} s: {sent} sent, {failures} failed");
        Console.WriteLine("| measure | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(Row("client (loopback)", client));
        Console.WriteLine(Row("server (Server-Timing)", server));
        return failures == 0 ? 0 : 1;
    }

    private static async Task<(List<double> Client, List<double> Server, int Failures, int Sent)> RunPhaseAsync(
        HttpClient http, string url, string[] bodies, double rate, double seconds, bool record)
    {
        var client = new List<double>();
        var server = new List<double>();
        var failures = 0;
        var gate = new Lock();
        var total = (int)(rate * seconds);
        var tasks = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var body = bodies.Length == 0 ? null : bodies[i % bodies.Length];
            tasks.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, url);
                    if (body is not null)
                    {
                        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    }

                    using var response = await http.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    var elapsed = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    var timing = response.Headers.TryGetValues("Server-Timing", out var values) ? Parse(values.First()) : double.NaN;
                    lock (gate)
                    {
                        if (!response.IsSuccessStatusCode)
                        {
                            failures++;
                        }
                        else if (record)
                        {
                            client.Add(elapsed);
                            server.Add(timing);
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    lock (gate)
                    {
                        failures++;
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);
        return (client, server, failures, total);
    }

    private static double Parse(string header) =>
        double.TryParse(header.Split("dur=").Last(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : double.NaN;

    private static string Row(string name, List<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return $"| {name} | – | – | – | – |";
        }

        double P(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"| {name} | {P(50):F2} | {P(90):F2} | {P(99):F2} | {sorted[^1]:F2} |");
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
