using Microsoft.Playwright;

namespace Quarry.Tests.Ui;

/// <summary>Debian's chromium driven by Playwright; no browser is ever downloaded.</summary>
internal sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public IBrowser Instance { get; }

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (.ci/run does).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>
    /// Opens <paramref name="path"/> on the server in a new page; the list collects the page's script errors.
    /// <paramref name="prepare"/> runs before the page loads (to route its requests, say).
    /// </summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(Uri baseAddress, string path, Func<IPage, Task>? prepare = null)
    {
        var page = await Instance.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        if (prepare is not null)
        {
            await prepare(page);
        }

        await page.GotoAsync(new Uri(baseAddress, path).ToString());
        return (page, errors);
    }

    /// <summary>Records the text of <paramref name="selector"/> after every change, for <see cref="ShownAsync"/>.</summary>
    public static Task RecordShownAsync(IPage page, string selector) => page.EvaluateAsync("""
        selector => {
          const target = document.querySelector(selector);
          window.quarryShown = [target.textContent];
          new MutationObserver(() => window.quarryShown.push(target.textContent))
            .observe(target, { childList: true, subtree: true, characterData: true });
        }
        """, selector);

    /// <summary>Every text the recorded element showed, in order.</summary>
    public static async Task<string[]> ShownAsync(IPage page) => await page.EvaluateAsync<string[]>("() => window.quarryShown");

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }
}
