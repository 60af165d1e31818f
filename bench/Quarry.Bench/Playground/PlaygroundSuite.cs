using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Quarry.Bench.Playground;

/// <summary>
/// Latency of <c>print(5)</c> through <c>POST /py/eval</c>, back to back and at a fixed rate, next to starting a plain
/// <c>python3 -c 'print(5)'</c> process in the same run (the cost every request would pay without pre-started sandboxes).
/// </summary>
internal static class PlaygroundSuite
{
    private const string Body = """{"code":"print(5)"}""";

    /// <summary><c>playground --url http://127.0.0.1:PORT [--requests 500] [--rate 5] [--seconds 60] [--baseline 200]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(new Uri(Arg(args, "--url") ?? throw new ArgumentException("--url is required")), "/py/eval");
        var requests = int.Parse(Arg(args, "--requests") ?? "500", CultureInfo.InvariantCulture);
        var rate = double.Parse(Arg(args, "--rate") ?? "5", CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        var baseline = int.Parse(Arg(args, "--baseline") ?? "200", CultureInfo.InvariantCulture);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await SequentialAsync(http, url, 20); // warm-up: JIT, connections
        var sequential = await SequentialAsync(http, url, requests);
        var paced = await PacedAsync(http, url, rate, seconds);
        var cold = await ColdPythonAsync(baseline);

        Console.WriteLine($"POST {url} with {Body}; {requests} back to back, then {rate:0.#} req/s for {seconds:0} s; {baseline} plain python3 processes");
        Console.WriteLine("| measure | n | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(Row("back to back: client", sequential.Client));
        Console.WriteLine(Row("back to back: run (durationMs)", sequential.Run));
        Console.WriteLine(Row($"{rate:0.#} req/s: client", paced.Client));
        Console.WriteLine(Row($"{rate:0.#} req/s: run (durationMs)", paced.Run));
        Console.WriteLine(Row("/usr/bin/python3 -c 'print(5)' process", cold));
        return 0;
    }

    private static async Task<(List<double> Client, List<double> Run)> SequentialAsync(HttpClient http, Uri url, int count)
    {
        var client = new List<double>(count);
        var run = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var (c, r) = await OneAsync(http, url);
            client.Add(c);
            run.Add(r);
        }

        return (client, run);
    }

    private static async Task<(List<double> Client, List<double> Run)> PacedAsync(HttpClient http, Uri url, double rate, double seconds)
    {
        var total = (int)(rate * seconds);
        var tasks = new List<Task<(double, double)>>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var wait = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            tasks.Add(OneAsync(http, url));
        }

        var results = await Task.WhenAll(tasks);
        return ([.. results.Select(r => r.Item1)], [.. results.Select(r => r.Item2)]);
    }

    private static async Task<(double Client, double Run)> OneAsync(HttpClient http, Uri url)
    {
        var sent = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(url, new StringContent(Body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var client = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
        }

        using var doc = JsonDocument.Parse(text);
        var stdout = doc.RootElement.GetProperty("stdout").GetString();
        return stdout == "5\n" ? (client, doc.RootElement.GetProperty("durationMs").GetDouble()) : throw new InvalidOperationException("unexpected output: " + text);
    }

    private static async Task<List<double>> ColdPythonAsync(int count)
    {
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "print(5)"]) { RedirectStandardOutput = true })!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (output != "5\n")
            {
                throw new InvalidOperationException("python3 printed " + output);
            }
        }

        return times;
    }

    private static string Row(string name, List<double> values)
    {
        var sorted = values.Order().ToArray();
        double P(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"| {name} | {sorted.Length} | {P(50):F2} | {P(90):F2} | {P(99):F2} | {sorted[^1]:F2} |");
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
