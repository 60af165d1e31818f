using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Jobs;

/// <summary>The embedded backend survives `quarry serve` being killed mid-batch.</summary>
public sealed class EmbeddedRestartTests
{
    private const int Sigkill = 9;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Killing_and_restarting_the_server_mid_batch_loses_no_accepted_job()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string>
        {
            ["QUARRY_DATA_DIR"] = dir.Path,
            ["Quarry__Playlists__Bootstrap"] = "false",
            ["Quarry__Jobs__LeaseDuration"] = "00:00:02",
            ["Quarry__Jobs__ServeWorkers"] = "2",
        };
        var ids = new List<Guid>();
        await using (var first = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0"], env))
        {
            using var client = new HttpClient { BaseAddress = await first.WaitForListeningAsync() };
            for (var i = 0; i < 300; i++)
            {
                using var response = await client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = 20 } }, Ct);
                response.EnsureSuccessStatusCode();
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid());
            }

            first.Signal(Sigkill); // no graceful shutdown: jobs in flight and queued are only on disk
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await using var second = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0"], env);
        using var again = new HttpClient { BaseAddress = await second.WaitForListeningAsync() };
        foreach (var id in ids)
        {
            var job = await JobWaits.UntilFinalAsync(again, id, TimeSpan.FromSeconds(120));
            Assert.Equal("complete", job.GetProperty("status").GetString());
        }
    }
}
