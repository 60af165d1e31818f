using System.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Quarry.Tests.Ui;

/// <summary>
/// Answers a page's searches itself, from the <c>search</c> parameter, and holds back the answer to one of them until
/// released: a slow server whose answers arrive out of order.
/// </summary>
internal sealed class LateAnswers(string heldSearch)
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held search has reached the server.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the held answer has been handed to the page (or the page gave up on it).</summary>
    public TaskCompletionSource Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A server for pages whose data the test supplies: no demo model is trained at start.</summary>
    public static void WithoutDemoModels(WebApplicationBuilder builder)
    {
        builder.Configuration["Quarry:Playlists:Bootstrap"] = "false";
        builder.Configuration["Quarry:Movies:Bootstrap"] = "false";
        builder.Configuration["Quarry:Diabetes:Bootstrap"] = "false";
    }

    public Task RouteAsync(IPage page, string pattern, Func<string, string> answer) => page.RouteAsync(pattern, async route =>
    {
        var search = HttpUtility.ParseQueryString(new Uri(route.Request.Url).Query)["search"] ?? "";
        var held = search == heldSearch;
        if (held)
        {
            Held.TrySetResult();
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
                Delivered.TrySetResult();
            }
        }
    });

    /// <summary>Lets the held answer go and waits until it has been handed to the page.</summary>
    public async Task ReleaseAsync()
    {
        _release.TrySetResult();
        await Delivered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
