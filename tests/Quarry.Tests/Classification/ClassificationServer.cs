using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Learn.Data;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Classification;

/// <summary>A `quarry serve` child process running only the classification service on a small generated dataset.</summary>
internal static class ClassificationServer
{
    public static Dictionary<string, string> Environment(TempDirectory dir, int train = 20_000, int epochs = 2)
    {
        var digits = Path.Combine(dir.Path, "digits");
        if (!File.Exists(Path.Combine(digits, "t10k-labels-idx1-ubyte.gz")))
        {
            SyntheticImages.WriteMnistLayout(digits, train, test: 500, seed: 5);
        }

        return new Dictionary<string, string>
        {
            ["QUARRY_DATA_DIR"] = Path.Combine(dir.Path, "data"),
            ["Quarry__Services"] = "vision",
            ["Quarry__Vision__DatasetDir"] = digits,
            ["Quarry__Vision__Epochs"] = epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public static async Task<(QuarryProcess Process, HttpClient Client)> StartAsync(Dictionary<string, string> env)
    {
        var process = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0"], env);
        return (process, new HttpClient { BaseAddress = await process.WaitForListeningAsync() });
    }

    public static async Task<JsonElement> UntilFinishedAsync(HttpClient client, string id, TimeSpan timeout, CancellationToken ct)
    {
        JsonElement job = default;
        await Wait.UntilAsync(
            async () => (job = await client.GetFromJsonAsync<JsonElement>($"/api/vision/jobs/{id}", ct)).GetProperty("status").GetString() is "Succeeded" or "Failed",
            timeout, () => $"classification job {id} to finish (still {job.GetProperty("status").GetString()})", TimeSpan.FromMilliseconds(50));
        return job;
    }
}
