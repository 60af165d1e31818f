using System.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Quarry.Tests.Ui;

/// <summary>
/// Answers a page's searches itself, from the <c>search</c> parameter, and holds back the answer to one of them until
/// released: a slow server whose answers arrive out of order.
/// </summary>
internal sealed class LateAnswers
{
    private const string HeldSearch = "first";

    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A server for pages whose data the test supplies: no demo model is trained at start.</summary>
    public static void WithoutDemoModels(WebApplicationBuilder builder)
    {
        builder.Configuration["Quarry:Playlists:Bootstrap"] = "false";
        builder.Configuration["Quarry:Movies:Bootstrap"] = "false";
        builder.Configuration["Quarry:Predict:Bootstrap"] = "false";
    }

    /// <summary>Answers the page's requests to <paramref name="pattern"/> with <paramref name="answer"/> of the search ("all" for none).</summary>
    public Task RouteAsync(IPage page, string pattern, Func<string, string> answer) => page.RouteAsync(pattern, async route =>
    {
        var search = HttpUtility.ParseQueryString(new Uri(route.Request.Url).Query)["search"] is { Length: > 0 } given ? given : "all";
        var held = search == HeldSearch;
        if (held)
        {
            _held.TrySetResult();
            await _release.Task;
        }

        try
        {
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = answer(search) });
        }
        catch (PlaywrightException)
        {
            // The page aborted the request it no longer wanted.
        }
        finally
        {
            if (held)
            {
                _delivered.TrySetResult();
            }
        }
    });

    /// <summary>
    /// Searches in the page's <c>#search</c> box for "first" (held back by the server), then "second" (answered), then lets
    /// "first" arrive late and searches "third": the results, recorded from <paramref name="list"/>, must never go back to
    /// "first" once "second" has shown. <paramref name="shown"/> is how an answer for a search reads in <paramref name="results"/>.
    /// </summary>
    public async Task SearchOutOfOrderAsync(IPage page, ILocator results, string list, Func<string, string> shown)
    {
        await Assertions.Expect(results).ToHaveTextAsync([shown("all")]);
        await Browser.RecordShownAsync(page, list);

        await page.FillAsync("#search", HeldSearch);
        await _held.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await page.FillAsync("#search", "second");
        await Assertions.Expect(results).ToHaveTextAsync([shown("second")]);
        _release.TrySetResult();
        await _delivered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // A newer search answered after the late one was delivered: whatever the page did with the late answer, it did before.
        await page.FillAsync("#search", "third");
        await Assertions.Expect(results).ToHaveTextAsync([shown("third")]);
        var texts = await Browser.ShownAsync(page);
        Assert.DoesNotContain(texts.SkipWhile(text => !text.Contains(shown("second"), StringComparison.Ordinal)),
            text => text.Contains(shown(HeldSearch), StringComparison.Ordinal));
    }
}
