using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Learn.Neural;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;
using Quarry.Vision.Model;
using Quarry.Vision.Training;

namespace Quarry.Tests.Fuzz;

/// <summary>
/// Malformed and odd requests to every operation of the OpenAPI document of a real server, with a fixed seed and a time bound:
/// none may get a 5xx or go unanswered, every 4xx is a problem, and every service still works afterwards.
/// </summary>
public sealed class ApiFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 15;
    private const int MaxRequests = 4000;
    private const int Parallelism = 4;
    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_malformed_request_gets_a_5xx_or_hangs_every_4xx_is_a_problem_and_the_services_still_work()
    {
        await using var server = await QuarryServer.StartAsync();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        await PublishDigitModelAsync(server);
        var operations = FuzzOperation.Read(await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct));
        Assert.True(operations.Count >= 30, $"the OpenAPI document lists only {operations.Count} operations");

        var cases = Plan(operations);
        var sent = operations.ToDictionary(o => o.Key, _ => 0);
        var failures = new ConcurrentQueue<string>();
        var refusedByKestrel = 0;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Parallelism }) { Timeout = Timeout.InfiniteTimeSpan };
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeBound);
        var clock = Stopwatch.StartNew();
        try
        {
            await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = bound.Token }, async (c, _) =>
            {
                lock (sent)
                {
                    sent[c.Operation.Key]++;
                }

                var (failure, refused) = await SendAsync(http, server.BaseAddress, c);
                if (failure is not null)
                {
                    failures.Enqueue(failure);
                }

                if (refused)
                {
                    Interlocked.Increment(ref refusedByKestrel);
                }
            });
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            // The time bound: what was sent counts.
        }

        var total = sent.Values.Sum();
        foreach (var (key, count) in sent.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{count,6}  {key}");
        }

        output.WriteLine($"{total,6}  requests in total to {operations.Count} operations in {clock.Elapsed.TotalSeconds:0.0} s " +
            $"(seed {Seed}, {cases.Count} planned, bounds {MaxRequests} requests / {TimeBound.TotalSeconds:0} s); {failures.Count} failed; " +
            $"{refusedByKestrel} refused by Kestrel before the application");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {total} requests failed:\n" + string.Join('\n', failures.Take(40)));
        Assert.All(sent, s => Assert.True(s.Value > 0, $"{s.Key} got no request"));

        await AssertEveryServiceWorksAsync(server.Client);
    }

    /// <summary>The fixed cases of every operation taken in turn (so a time bound leaves no operation out), then seeded random ones.</summary>
    private static List<FuzzCase> Plan(IReadOnlyList<FuzzOperation> operations)
    {
        var fixedCases = operations.Select(o => FuzzCases.Fixed(o).ToList()).ToList();
        var plan = new List<FuzzCase>();
        for (var i = 0; i < fixedCases.Max(c => c.Count); i++)
        {
            plan.AddRange(fixedCases.Where(c => i < c.Count).Select(c => c[i]));
        }

        var random = new Random(Seed);
        while (plan.Count < MaxRequests)
        {
            plan.Add(FuzzCases.Random(operations[random.Next(operations.Count)], random));
        }

        return plan.Take(MaxRequests).ToList();
    }

    /// <summary>What was wrong with the answer (null when nothing), and whether Kestrel refused the request itself.</summary>
    private static async Task<(string? Failure, bool RefusedByKestrel)> SendAsync(HttpClient http, Uri server, FuzzCase c)
    {
        var uri = new Uri(server.GetLeftPart(UriPartial.Authority) + c.Target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(c.Operation.Method), uri);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }
        }

        var what = $"{c.Operation.Key} [{c.Label}] {Clip(c.Target, 100)}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (status >= 500)
            {
                return ($"{what}: {status} {Clip(text, 300)}", false);
            }

            // Kestrel refuses some targets (a NUL in the path) before any middleware runs: a bare 400 and a closed connection.
            if (status == 400 && response.Headers.ConnectionClose == true && text.Length == 0)
            {
                return (null, true);
            }

            if (status >= 400 && c.Operation.Method != "HEAD" && ProblemMismatch(response, status, text) is { } mismatch)
            {
                return ($"{what}: {status} {mismatch}", false);
            }

            return (null, false);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return ($"{what}: no answer within {RequestTimeout.TotalSeconds:0} s", false);
        }
        catch (HttpRequestException e)
        {
            return ($"{what}: {e.Message}", false);
        }
    }

    private static string? ProblemMismatch(HttpResponseMessage response, int status, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"is {response.Content.Headers.ContentType?.MediaType ?? "without a content type"}, not application/problem+json: {Clip(text, 200)}";
        }

        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("status", out var s) && s.TryGetInt32(out var given) && given == status
                ? null
                : $"problem without status {status}: {Clip(text, 200)}";
        }
        catch (JsonException)
        {
            return $"problem that is not JSON: {Clip(text, 200)}";
        }
    }

    /// <summary>An untrained digit model, so that predictions reach the model instead of answering 503 for want of one.</summary>
    private static async Task PublishDigitModelAsync(QuarryServer server)
    {
        using var bytes = new MemoryStream();
        await DigitModelFile.WriteAsync(new DigitModel(ImageNetwork.Create(NetworkKind.FeedForward, new Random(Seed)), "mnist", 0.1, 1, Seed), bytes, Ct);
        await ClassifyJob.Models(server.DataDir, "mnist").PublishAsync(
            "0.0.1", "mnist/untrained", (stream, ct) => stream.WriteAsync(bytes.ToArray(), ct).AsTask(), TimeProvider.System, Ct);
        var swap = server.App.Services.GetRequiredService<ModelSwap<DigitModel>>();
        await Wait.UntilAsync(() => swap.Current is not null, TimeSpan.FromSeconds(30), "the server to load the digit model");
    }

    /// <summary>After the fuzz: the process is alive and a valid request to each service is answered as usual.</summary>
    private static async Task AssertEveryServiceWorksAsync(HttpClient client)
    {
        using (var health = await client.GetAsync("/healthz", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var movies = await client.GetFromJsonAsync<JsonElement>("/api/movies?pageSize=3", Ct);
        var movie = movies.GetProperty("movies")[0].GetProperty("id").GetInt32();
        var recommended = await PostAsync(client, "/api/movies/recommend", $$"""{"liked":[{{movie}}],"limit":5}""");
        Assert.NotEqual(0, recommended.GetProperty("movies").GetArrayLength());

        var songs = await client.GetFromJsonAsync<JsonElement>("/api/playlists/songs?limit=1", Ct);
        var song = songs.GetProperty("songs")[0].GetProperty("song").GetString();
        var playlist = await PostAsync(client, "/api/recommend", JsonSerializer.Serialize(new { songs = new[] { song } }));
        Assert.False(string.IsNullOrEmpty(playlist.GetProperty("version").GetString()));

        var job = await PostAsync(client, "/jobs", """{"start":1,"end":10}""");
        var id = job.GetProperty("id").GetGuid();
        await Wait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}", Ct)).GetProperty("status").GetString() == "complete",
            TimeSpan.FromSeconds(30), "a job submitted after the fuzz to complete");
        using (var listing = await client.GetAsync("/jobs?limit=500", Ct))
        {
            Assert.True(listing.StatusCode == HttpStatusCode.OK, "every job the fuzz got accepted can be listed: " + await listing.Content.ReadAsStringAsync(Ct));
        }


        var prediction = await PostAsync(client, "/api/predict/diabetes", """{"rows":[[6,148,72,35,0,33.6,0.627,50]]}""");
        Assert.Equal(1, prediction.GetProperty("probabilities").GetArrayLength());

        var run = await PostAsync(client, "/py/eval", """{"code":"print(6*7)"}""");
        Assert.Equal("42\n", run.GetProperty("stdout").GetString());

        var digit = await PostAsync(client, "/api/vision/predict", """{"pixels":[""" + string.Join(',', new int[784]) + "]}");
        Assert.Equal(10, digit.GetProperty("probabilities").GetArrayLength());
        var config = await client.GetFromJsonAsync<JsonElement>("/config", Ct);
        Assert.Equal(JsonValueKind.Array, config.GetProperty("pods").ValueKind);
        var classification = await client.GetFromJsonAsync<JsonElement>("/api/vision/jobs", Ct);
        Assert.Equal(0, classification.GetProperty("jobs").GetArrayLength()); // the fuzz never started a training run
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
