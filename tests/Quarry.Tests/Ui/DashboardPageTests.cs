using System.Net.Http.Json;
using Microsoft.Playwright;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Ui;

public sealed class DashboardPageTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_some_load_the_dashboard_draws_every_chart_and_lists_the_live_models()
    {
        // The embedded defaults (demo models trained at start, in-process workers, nothing else running), in a process of its
        // own: the metrics of the servers other tests run in this one would otherwise share its meters' names.
        using var dir = new TempDirectory();
        await using var process = QuarryProcess.Start("quarry.dll", ["serve", "--urls", "http://127.0.0.1:0", "--data-dir", dir.Path],
            new Dictionary<string, string> { ["Quarry__Services"] = "playlists,movies,jobs" });
        using var client = new HttpClient { BaseAddress = await process.WaitForListeningAsync(), Timeout = TimeSpan.FromSeconds(30) };
        await Wait.UntilAsync(async () =>
        {
            using var ready = await client.GetAsync("/readyz", Ct);
            return ready.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(120), "the demo models");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(client.BaseAddress, "/dashboard");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var recommend = await client.PostAsJsonAsync("/api/recommend", new { songs = Array.Empty<string>() }, CancellationToken.None);
                using var movies = await client.PostAsJsonAsync("/api/movies/recommend", new { liked = new[] { 1, 2, 3 } }, CancellationToken.None);
                if (i % 4 == 0)
                {
                    using var job = await client.PostAsJsonAsync("/jobs", new { type = "sleep", payload = new { ms = 200 } }, CancellationToken.None);
                }

                await Task.Delay(25, CancellationToken.None);
            }
        }, CancellationToken.None);

        try
        {
            var charts = new Dictionary<string, string>
            {
                ["#chart-rps"] = "POST /api/recommend",
                ["#chart-latency"] = "POST /api/recommend p99",
                ["#chart-jobs"] = "completed",
                ["#chart-queue"] = "submitted",
                ["#chart-workers"] = "workers",
                ["#chart-recs"] = "playlists popular",
            };
            foreach (var (chart, series) in charts)
            {
                // A line of at least three points (three rates need four scrapes); a series that never gets one fails here.
                await page.WaitForFunctionAsync(
                    "([chart, series]) => [...document.querySelectorAll(`${chart} polyline`)].some(p => p.dataset.series === series && p.getAttribute('points').split(' ').length >= 3)",
                    new[] { chart, series }, new() { Timeout = 30_000 });
            }

            await Assertions.Expect(page.Locator("#models tbody tr")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#models tbody")).ToContainTextAsync("playlists");
            await Assertions.Expect(page.Locator("#models tbody")).ToContainTextAsync("movies");
            await Assertions.Expect(page.Locator("#runs tbody")).ToContainTextAsync("Training runs are not served here");
            await Assertions.Expect(page.Locator("#chart-rps .legend")).ToContainTextAsync("POST /api/recommend");
        }
        finally
        {
            await stop.CancelAsync();
            await load;
            var shot = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png");
            Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            output.WriteLine($"screenshot: {shot}");
        }

        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_api_reference_link_opens_an_interactive_page_that_loads_nothing_from_outside()
    {
        await using var server = await QuarryServer.StartAsync(configure: b => b.Configuration["Quarry:Playlists:Bootstrap"] = "false");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/");
        var outside = new List<string>();
        page.Request += (_, request) =>
        {
            var host = new Uri(request.Url).Host;
            if (request.Url.StartsWith("http", StringComparison.Ordinal) && host != server.BaseAddress.Host)
            {
                outside.Add(request.Url);
            }
        };

        await page.ClickAsync("#nav a:text-is('API reference')");
        await page.WaitForURLAsync("**/api-reference/");
        // The viewer renders the operations of /openapi/v1.json, grouped by tag: the recommendation endpoint among them.
        await Assertions.Expect(page.GetByText("Product name, version and the pages of the web UI.").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.GetByText("Playlists", new() { Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.GetByText("/api/recommend").First).ToBeAttachedAsync();
        Assert.Empty(outside);
        Assert.Empty(errors);

        using var json = await server.Client.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
    }
}
