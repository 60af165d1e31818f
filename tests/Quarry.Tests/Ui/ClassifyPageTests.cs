using Microsoft.Playwright;
using Quarry.Tests.Classification;
using Quarry.TestSupport;

namespace Quarry.Tests.Ui;

public sealed class ClassifyPageTests
{
    [Fact]
    public async Task A_user_trains_a_free_model_watches_it_learn_and_draws_a_digit()
    {
        using var dir = new TempDirectory();
        var (server, client) = await ClassificationServer.StartAsync(ClassificationServer.Environment(dir, train: 30_000, epochs: 3));
        await using var _ = server;
        using var __ = client;
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(client.BaseAddress!, "/vision.html");

        await page.SelectOptionAsync("#tier", "free");
        await page.SelectOptionAsync("#dataset", "mnist");
        await page.ClickAsync("#submit button[type=submit]");
        await Assertions.Expect(page.Locator("#submit-result")).ToContainTextAsync("Started ff-mnist-");

        // While it runs: the progress bar moves and the loss curve grows.
        var row = page.Locator("#jobs tr").First;
        await Assertions.Expect(row.Locator("td.status")).ToHaveTextAsync("Running", new() { Timeout = 60_000 });
        await Assertions.Expect(row).ToContainTextAsync("epoch ", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#chart polyline")).ToHaveCountAsync(1, new() { Timeout = 60_000 });

        // Finished: the accuracy shows and the curve spans the run.
        await Assertions.Expect(row.Locator("td.status")).ToHaveTextAsync("Succeeded", new() { Timeout = 120_000 });
        await Assertions.Expect(row.Locator("td").Nth(5)).ToContainTextAsync(" %");
        Assert.Equal("100", await row.Locator("[role=progressbar]").GetAttributeAsync("aria-valuenow"));
        var points = (await page.Locator("#chart polyline").GetAttributeAsync("points"))!.Split(' ');
        Assert.True(points.Length >= 3, $"loss curve has {points.Length} points");
        await Assertions.Expect(page.Locator("#pods")).ToContainTextAsync("free-service");

        // Draw a stroke once the server has swapped the new model in: it answers with a digit and ten probabilities.
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.PostAsync("/api/vision/predict", new StringContent("{\"pixels\":[" + string.Join(",", new int[784]) + "]}"),
                TestContext.Current.CancellationToken);
            return response.StatusCode == System.Net.HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "the trained model to answer");

        await page.Locator("#pad").ScrollIntoViewIfNeededAsync();
        var pad = await page.Locator("#pad").BoundingBoxAsync();
        Assert.NotNull(pad);
        await page.Mouse.MoveAsync(pad.X + (pad.Width / 2), pad.Y + (pad.Height * 0.2f));
        await page.Mouse.DownAsync();
        for (var i = 1; i <= 10; i++)
        {
            await page.Mouse.MoveAsync(pad.X + (pad.Width / 2), pad.Y + (pad.Height * (0.2f + (0.06f * i))));
        }

        await page.Mouse.UpAsync();
        await Assertions.Expect(page.Locator("#prediction")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]$"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#bars .bar")).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("ff model trained on mnist");
        await page.ScreenshotAsync(new() { Path = dir.File("classify-page.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
