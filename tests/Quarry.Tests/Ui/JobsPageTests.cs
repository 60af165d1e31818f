using Microsoft.Playwright;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

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

    [Fact]
    public async Task The_page_polls_one_request_at_a_time_and_not_while_hidden()
    {
        await using var server = await QuarryServer.StartAsync(configure: LateAnswers.WithoutDemoModels);
        await using var browser = await Browser.LaunchAsync();

        // A slow server: each listing takes longer than the poll interval.
        var inFlight = 0;
        var mostInFlight = 0;
        var answered = 0;
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/jobs.html", page => page.RouteAsync("**/jobs?limit=**", async route =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, now);
            await Task.Delay(1200, TestContext.Current.CancellationToken);
            Interlocked.Decrement(ref inFlight);
            Interlocked.Increment(ref answered);
            await route.ContinueAsync();
        }));

        await Wait.UntilAsync(() => Volatile.Read(ref answered) >= 3, TimeSpan.FromSeconds(30), "three listings");
        Assert.Equal(1, Volatile.Read(ref mostInFlight));

        // Hidden: the listing in flight finishes and no other starts. Shown again: polling resumes at once.
        await SetHiddenAsync(page, true);
        await Wait.UntilAsync(() => Volatile.Read(ref inFlight) == 0, TimeSpan.FromSeconds(10), "the listing in flight to finish");
        var before = Volatile.Read(ref answered);
        await Task.Delay(3000, TestContext.Current.CancellationToken); // an observation window of three poll intervals, in which nothing may happen
        Assert.Equal(before, Volatile.Read(ref answered) + Volatile.Read(ref inFlight));
        await SetHiddenAsync(page, false);
        await Wait.UntilAsync(() => Volatile.Read(ref answered) > before, TimeSpan.FromSeconds(10), "polling to resume once the page is shown");
        Assert.Equal(1, Volatile.Read(ref mostInFlight));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_long_result_is_cut_to_fit_the_table_and_kept_whole_in_its_title()
    {
        await using var server = await QuarryServer.StartAsync(configure: LateAnswers.WithoutDemoModels);
        await using var browser = await Browser.LaunchAsync();
        var result = "{\"data\":\"" + new string('x', 5000) + "\"}";
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/jobs.html", page => page.RouteAsync("**/jobs?limit=**", route =>
            route.FulfillAsync(new()
            {
                Status = 200,
                ContentType = "application/json",
                Body = $$"""
                    {"jobs":[{"id":"0190a1b2-0000-7000-8000-000000000001","type":"range","status":"complete","worker":"{{new string('w', 300)}}",
                    "attempts":1,"createdAt":"2024-01-01T00:00:00Z","startedAt":"2024-01-01T00:00:00Z","finishedAt":"2024-01-01T00:00:01Z",
                    "result":{{result}}}],"nextCursor":null}
                    """,
            })));

        await Assertions.Expect(page.Locator("#jobs td.outcome")).ToHaveAttributeAsync("title", result);
        await Assertions.Expect(page.Locator("#jobs td.worker")).ToHaveAttributeAsync("title", new string('w', 300));
        var widths = await page.EvaluateAsync<int[]>("""
            () => [document.documentElement.scrollWidth, window.innerWidth, document.querySelector("table").scrollWidth, document.querySelector("main").clientWidth]
            """);
        Assert.True(widths[0] <= widths[1], $"the page scrolls sideways: {widths[0]} px wide in a {widths[1]} px window");
        Assert.True(widths[2] <= widths[3], $"the table is {widths[2]} px wide in {widths[3]} px");

        // The short columns keep their words whole: the row is one line high.
        var rowHeight = await page.Locator("#jobs tr").First.EvaluateAsync<double>("tr => tr.getBoundingClientRect().height");
        Assert.True(rowHeight < 60, $"the row is {rowHeight:F0} px high");
        Assert.Empty(errors);
    }

    private static Task SetHiddenAsync(IPage page, bool hidden) => page.EvaluateAsync("""
        hidden => {
          Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
          Object.defineProperty(document, "visibilityState", { value: hidden ? "hidden" : "visible", configurable: true });
          document.dispatchEvent(new Event("visibilitychange"));
        }
        """, hidden);

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
