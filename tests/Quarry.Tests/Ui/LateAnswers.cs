using System.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Quarry.Tests.Ui;

/// <summary>
/// A slow server whose answers arrive out of order: holds back one answer until released, either to one of the page's
/// searches (answered here, from the <c>search</c> parameter) or to the first of a kind of request (answered by the server).
/// </summary>
internal sealed class LateAnswers
{
    private const string HeldSearch = "first";

    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _firstSeen;

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
        var fulfil = () => route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = answer(search) });
        await (search == HeldSearch ? HoldAsync(fulfil) : fulfil());
    });

    /// <summary>
    /// The page's first request to <paramref name="pattern"/> reaches the server at once, but its answer reaches the page
    /// only after <see cref="ReleaseAsync"/>; later requests pass untouched.
    /// </summary>
    public Task HoldFirstAnswerAsync(IPage page, string pattern) => page.RouteAsync(pattern, async route =>
    {
        if (Interlocked.Exchange(ref _firstSeen, 1) == 1)
        {
            await route.ContinueAsync();
            return;
        }

        var answer = await route.FetchAsync();
        await HoldAsync(() => route.FulfillAsync(new() { Response = answer }));
    });

    /// <summary>Waits until the held request has been made.</summary>
    public Task HeldAsync() => _held.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    /// <summary>Lets the held answer go and waits until it was delivered (or refused by the page, which aborted the request).</summary>
    public Task ReleaseAsync()
    {
        _release.TrySetResult();
        return _delivered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

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
        await HeldAsync();
        await page.FillAsync("#search", "second");
        await Assertions.Expect(results).ToHaveTextAsync([shown("second")]);
        await ReleaseAsync();

        // A newer search answered after the late one was delivered: whatever the page did with the late answer, it did before.
        await page.FillAsync("#search", "third");
        await Assertions.Expect(results).ToHaveTextAsync([shown("third")]);
        var texts = await Browser.ShownAsync(page);
        Assert.DoesNotContain(texts.SkipWhile(text => !text.Contains(shown("second"), StringComparison.Ordinal)),
            text => text.Contains(shown(HeldSearch), StringComparison.Ordinal));
    }

    private async Task HoldAsync(Func<Task> deliver)
    {
        _held.TrySetResult();
        await _release.Task;
        try
        {
            await deliver();
        }
        catch (PlaywrightException)
        {
            // The page aborted the request it no longer wanted.
        }
        finally
        {
            _delivered.TrySetResult();
        }
    }
}
