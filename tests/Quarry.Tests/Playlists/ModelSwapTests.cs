using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Artifacts;
using Quarry.Playlists.Model;
using Quarry.TestSupport;

namespace Quarry.Tests.Playlists;

public sealed class ModelSwapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publishing_five_models_under_continuous_load_drops_no_request()
    {
        await using var server = await PlaylistServer.StartAsync();
        var published = new List<Publication> { await server.PublishAsync("1.0.0") };
        await server.WaitForModelAsync(published[0]);

        var top = await server.Client.GetFromJsonAsync<JsonElement>("/api/playlists/songs?limit=3", Ct);
        var seed = top.GetProperty("songs").EnumerateArray().Select(s => s.GetProperty("song").GetString()!).ToArray();

        var seen = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        var requests = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await server.Client.PostAsJsonAsync("/api/recommend", new { songs = seed }, CancellationToken.None);
                    Interlocked.Increment(ref requests);
                    if (!response.IsSuccessStatusCode)
                    {
                        failures.Add($"HTTP {(int)response.StatusCode}");
                        continue;
                    }

                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                    seen.Add(body.GetProperty("model_date").GetString()!);
                    if (body.GetProperty("songs").GetArrayLength() == 0)
                    {
                        failures.Add("empty answer");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or IOException)
                {
                    failures.Add(e.Message);
                }
            }
        }, Ct)).ToArray();

        for (var i = 2; i <= 6; i++)
        {
            var next = await server.PublishAsync($"1.0.{i}");
            published.Add(next);
            await server.WaitForModelAsync(next);
        }

        await Wait.UntilAsync(() => seen.Contains(published[^1].ModelDate), TimeSpan.FromSeconds(10), "the clients to be answered by the last model");

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(requests > 50, $"only {requests} requests were made");
        var dates = published.Select(p => p.ModelDate).ToHashSet();
        Assert.All(seen, date => Assert.Contains(date, dates));
        Assert.Contains(published[^1].ModelDate, seen);
    }

    [Fact]
    public async Task A_corrupt_artifact_is_never_served_and_the_next_good_one_is()
    {
        await using var server = await PlaylistServer.StartAsync();
        var good = await server.PublishAsync("1.0.0");
        await server.WaitForModelAsync(good);

        // A checkpoint pointing at a damaged artifact, as a crashed or buggy trainer might leave behind.
        var store = Quarry.Playlists.PlaylistStore.Open(server.Server.DataDir);
        var bad = new Publication("6.6.6", "broken", good.UnixNanoseconds + 1_000);
        await File.WriteAllBytesAsync(store.ArtifactPath(bad), (await File.ReadAllBytesAsync(store.ArtifactPath(good), Ct))[..100], Ct);
        await File.WriteAllTextAsync(store.CheckpointPath, bad.Format(), Ct);

        // Once the watcher has read the new checkpoint and refused its artifact, the good model is still the one served.
        var watcher = server.Server.App.Services.GetRequiredService<ArtifactWatcher<RuleModel>>();
        Assert.False(await watcher.CheckAsync(Ct), "the damaged artifact was swapped in");
        for (var i = 0; i < 20; i++)
        {
            using var response = await server.Client.PostAsJsonAsync("/api/recommend", new { songs = Array.Empty<string>() }, Ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(good.ModelDate, body.GetProperty("model_date").GetString());
        }

        var next = await server.PublishAsync("1.0.1");
        await server.WaitForModelAsync(next);
        using var after = await server.Client.PostAsJsonAsync("/api/recommend", new { songs = Array.Empty<string>() }, Ct);
        Assert.Equal("1.0.1", (await after.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetString());
    }
}
