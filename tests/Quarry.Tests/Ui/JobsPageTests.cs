using Microsoft.Playwright;
using Quarry.Tests.Infrastructure;

namespace Quarry.Tests.Ui;

public sealed class JobsPageTests
{
    [Fact]
    public async Task A_user_submits_jobs_and_watches_them_complete_with_their_worker()
    {
        await using var server = await QuarryServer.StartAsync(configure: b => b.Configuration["Quarry:Playlists:Bootstrap"] = "false");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/jobs.html");

        await page.FillAsync("#start", "1");
        await page.FillAsync("#end", "10");
        await page.FillAsync("#count", "3");
        await page.ClickAsync("#submit button[type=submit]");
        await Assertions.Expect(page.Locator("#submit-result")).ToHaveTextAsync("Submitted 3 jobs");

        var rows = page.Locator("#jobs tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#jobs td.status.complete")).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        await Assertions.Expect(rows.First).ToContainTextAsync("\"sum\":55");
        Assert.False(string.IsNullOrWhiteSpace(await rows.First.Locator("td").Nth(3).TextContentAsync())); // the worker
        await Assertions.Expect(page.Locator("#counts")).ToHaveTextAsync("0 submitted · 0 in progress · 3 complete · 0 failed · 0 cancelled");

        await page.SelectOptionAsync("#status-filter", "failed");
        await Assertions.Expect(rows).ToHaveCountAsync(0);

        // A bad request shows the server's reason instead of failing silently.
        await page.SelectOptionAsync("#type", "sleep");
        await page.FillAsync("#payload", "{\"ms\": -5}");
        await page.FillAsync("#count", "1");
        await page.ClickAsync("#submit button[type=submit]");
        await Assertions.Expect(page.Locator("#submit-result")).ToContainTextAsync("ms");
        Assert.Empty(errors);
    }
}
