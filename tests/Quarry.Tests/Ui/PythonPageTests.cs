using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Quarry.Tests.Infrastructure;

namespace Quarry.Tests.Ui;

public sealed class PythonPageTests
{
    // A sandbox run is slower than a page update, more so on a busy machine.
    private static readonly LocatorAssertionsToHaveTextOptions RunTimeout = new() { Timeout = 20_000 };

    [Fact]
    public async Task A_user_runs_python_sees_its_output_and_returns_to_an_earlier_run()
    {
        await using var server = await QuarryServer.StartAsync(configure: b => b.Configuration["Quarry:Playlists:Bootstrap"] = "false");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/python");
        var stdout = page.Locator("#stdout");
        var stderr = page.Locator("#stderr");
        var status = page.Locator("#status");
        var history = page.Locator("#history li");
        await Assertions.Expect(history).ToHaveCountAsync(0);

        await page.FillAsync("#code", "print(6*7)");
        await page.PressAsync("#code", "Control+Enter");
        await Assertions.Expect(stdout).ToHaveTextAsync("42", RunTimeout);
        await Assertions.Expect(status).ToContainTextAsync("exit 0");
        await Assertions.Expect(stderr).ToBeHiddenAsync();

        await page.FillAsync("#code", "1/0");
        await page.ClickAsync("#run");
        await Assertions.Expect(status).ToContainTextAsync("exit 1", new() { Timeout = RunTimeout.Timeout });
        await Assertions.Expect(stderr).ToContainTextAsync("ZeroDivisionError");
        await Assertions.Expect(stderr).ToBeVisibleAsync();
        await Assertions.Expect(stderr).ToHaveClassAsync(new Regex(@"\berror\b"));
        await Assertions.Expect(stdout).ToHaveTextAsync("");

        // Newest first; the older run brings back its code and output.
        await Assertions.Expect(history).ToHaveCountAsync(2);
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync("1/0");
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync("exit 1");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync("print(6*7)");
        await history.Nth(1).Locator("button").ClickAsync();
        await Assertions.Expect(page.Locator("#code")).ToHaveValueAsync("print(6*7)");
        await Assertions.Expect(stdout).ToHaveTextAsync("42");
        await Assertions.Expect(status).ToContainTextAsync("exit 0");
        await Assertions.Expect(stderr).ToBeHiddenAsync();

        // The history is kept in the browser across a reload.
        await page.ReloadAsync();
        await Assertions.Expect(history).ToHaveCountAsync(2);
        await Assertions.Expect(history.Nth(0)).ToContainTextAsync("1/0");
        await Assertions.Expect(history.Nth(1)).ToContainTextAsync("print(6*7)");

        await page.ClickAsync("#clear-history");
        await Assertions.Expect(history).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#history-empty")).ToBeVisibleAsync();
        await Assertions.Expect(history).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_refused_run_shows_the_servers_reason_and_the_button_waits_for_the_answer()
    {
        await using var server = await QuarryServer.StartAsync(configure: b => b.Configuration["Quarry:Playlists:Bootstrap"] = "false");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/python");

        // The evaluator's answer is held back so the page's running state can be seen, then refused as busy.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/python", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            await answer.Task;
            await route.FulfillAsync(new()
            {
                Status = 503,
                ContentType = "application/problem+json",
                Headers = new Dictionary<string, string> { ["Retry-After"] = "2" },
                Body = """{"title":"The evaluator is busy","detail":"Every sandbox is in use."}""",
            });
        });

        await page.ClickAsync("#run");
        await Assertions.Expect(page.Locator("#run")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Running…");
        answer.SetResult();

        await Assertions.Expect(page.Locator("#error")).ToHaveTextAsync("The evaluator is busy: Every sandbox is in use. (try again in 2 s)");
        await Assertions.Expect(page.Locator("#run")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#history li")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }
}
