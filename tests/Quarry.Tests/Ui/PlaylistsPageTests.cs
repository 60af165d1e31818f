using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Quarry.Core.Artifacts;
using Quarry.Playlists.Model;
using Quarry.Tests.Infrastructure;
using Quarry.Tests.Playlists;

namespace Quarry.Tests.Ui;

public sealed class PlaylistsPageTests
{
    [Fact]
    public async Task A_user_searches_builds_a_playlist_and_sees_recommendations_update()
    {
        await using var server = await PlaylistServer.StartAsync();
        await server.WaitForModelAsync(await server.PublishAsync("4.5.6"));
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.Server.BaseAddress, "/playlists.html");
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("Model v4.5.6");
        await Assertions.Expect(page.Locator("#source")).ToHaveTextAsync("most popular");
        await Assertions.Expect(page.Locator("#nav a", new() { HasText = "Playlists" })).ToBeVisibleAsync();

        // Search for a song that starts a rule by a piece of its name, and add it.
        var model = server.Server.App.Services.GetRequiredService<ModelSwap<RuleModel>>().Current!.Model;
        var top = model.Songs[model.Rules.First(r => r.Antecedent.Length == 1).Antecedent[0]];
        await page.FillAsync("#search", top);
        await page.Locator("#results button", new() { HasText = top }).First.ClickAsync();
        await Assertions.Expect(page.Locator("#playlist button")).ToHaveTextAsync([top]);

        await Assertions.Expect(page.Locator("#source")).ToHaveTextAsync("from rules");
        var recommended = await page.Locator("#recommendations button").AllTextContentsAsync();
        Assert.NotEmpty(recommended);
        Assert.DoesNotContain(top, recommended);

        // Adding a recommendation moves it into the playlist and out of the recommendations.
        var next = recommended[0];
        await page.Locator("#recommendations button", new() { HasText = next }).First.ClickAsync();
        await Assertions.Expect(page.Locator("#playlist button")).ToHaveTextAsync([top, next]);
        await Assertions.Expect(page.Locator("#recommendations button", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(next) + "$") })).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Home_page_lists_the_playlists_page_and_shows_readiness()
    {
        await using var server = await PlaylistServer.StartAsync();
        await server.WaitForModelAsync(await server.PublishAsync());
        await server.Server.WaitUntilReadyAsync(); // the movie and diabetes demo models train at start too
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.Server.BaseAddress, "/");
        await Assertions.Expect(page.Locator("#services a", new() { HasText = "Playlists" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#server-status")).ToContainTextAsync("Ready.");
        await Assertions.Expect(page.Locator("#version")).ToHaveTextAsync("v" + Core.Hosting.QuarryInfo.Version);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_late_answer_to_an_earlier_search_never_replaces_the_newer_results()
    {
        await using var server = await QuarryServer.StartAsync(configure: LateAnswers.WithoutDemoModels);
        await using var browser = await Browser.LaunchAsync();
        var late = new LateAnswers();
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/playlists.html", page =>
            late.RouteAsync(page, "**/api/playlists/songs?**", search => $$"""
                {"songs":[{"song":"{{search}}-song","playlists":1}],"total":1,"version":"1.0.0","model_date":"2024-01-01 00:00:00.000000000"}
                """));
        await late.SearchOutOfOrderAsync(page, page.Locator("#results button"), "#results", search => $"{search}-song");
        Assert.Empty(errors);
    }
}
