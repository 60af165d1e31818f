using Microsoft.Playwright;
using Quarry.Tests.Infrastructure;
using Quarry.Tests.Movies;

namespace Quarry.Tests.Ui;

public sealed class MoviesPageTests
{
    [Fact]
    public async Task A_user_searches_likes_three_movies_and_sees_recommendations_with_reasons()
    {
        await using var server = await MovieServer.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await browser.OpenAsync(server.Server.BaseAddress, "/movies.html");
        await page.FillAsync("#user", "playwright-user");
        await page.DispatchEventAsync("#user", "change");
        await Assertions.Expect(page.Locator("#source")).ToHaveTextAsync("most popular");

        var liked = server.Model.Movies.Take(3).ToArray();
        foreach (var movie in liked)
        {
            await page.FillAsync("#search", movie.Title);
            var row = page.Locator($"#catalog li[data-id='{movie.Id}']");
            await Assertions.Expect(row).ToBeVisibleAsync();
            await row.Locator("button.like").ClickAsync();
            await Assertions.Expect(page.Locator($"#likes li[data-id='{movie.Id}']")).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.Locator("#likes li")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#source")).ToHaveTextAsync("for your taste");
        var recommended = page.Locator("#recommendations li");
        await Assertions.Expect(recommended).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator("#recommendations .because").First).ToContainTextAsync("because you liked");
        var ids = await recommended.EvaluateAllAsync<int[]>("items => items.map(li => Number(li.dataset.id))");
        Assert.DoesNotContain(ids, liked.Select(m => m.Id).Contains);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_late_answer_for_likes_asked_before_a_like_never_replaces_the_likes_after_it()
    {
        await using var server = await MovieServer.StartAsync(train: false);
        await using var browser = await Browser.LaunchAsync();
        var late = new LateAnswers();
        var (page, errors) = await browser.OpenAsync(server.Server.BaseAddress, "/movies.html",
            page => late.HoldFirstAnswerAsync(page, "**/api/movies/users/late-user/likes"));
        var movie = page.Locator("#catalog li").First;
        await Assertions.Expect(movie).ToBeVisibleAsync();
        var id = await movie.GetAttributeAsync("data-id");

        await page.FillAsync("#user", "late-user");
        await page.DispatchEventAsync("#user", "change");
        await late.HeldAsync();
        await movie.Locator("button.like").ClickAsync();
        await Assertions.Expect(page.Locator($"#likes li[data-id='{id}']")).ToBeVisibleAsync();
        await Browser.RecordShownAsync(page, "#likes");
        await late.ReleaseAsync();

        // A newer answer after the late one was delivered: whatever the page did with the late answer, it did before.
        await page.FillAsync("#search", "no such title");
        await Assertions.Expect(page.Locator("#catalog li")).ToHaveTextAsync(["No movie matches."]);
        await Assertions.Expect(page.Locator("#likes li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#likes li[data-id='{id}']")).ToBeVisibleAsync();
        Assert.DoesNotContain(await Browser.ShownAsync(page), text => text.Contains("Like a movie to start.", StringComparison.Ordinal));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_late_answer_to_an_earlier_search_never_replaces_the_newer_results()
    {
        await using var server = await QuarryServer.StartAsync(configure: LateAnswers.WithoutDemoModels);
        await using var browser = await Browser.LaunchAsync();
        var late = new LateAnswers();
        var (page, errors) = await browser.OpenAsync(server.BaseAddress, "/movies.html", page =>
            late.RouteAsync(page, "**/api/movies?**", search => $$"""
                {"movies":[{"id":{{search.Length + 1}},"title":"{{search}} movie","year":2000,"genres":[]}],"total":1,"page":1,"pageSize":15}
                """));
        await late.SearchOutOfOrderAsync(page, page.Locator("#catalog li .title"), "#catalog", search => $"{search} movie (2000)");
        Assert.Empty(errors);
    }
}
