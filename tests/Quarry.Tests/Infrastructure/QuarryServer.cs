using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Quarry.TestSupport;

namespace Quarry.Tests.Infrastructure;

/// <summary>The real server, in this process, on a free 127.0.0.1 port, with its own data directory.</summary>
public sealed class QuarryServer : IAsyncDisposable
{
    private readonly TempDirectory _dataDir;

    private QuarryServer(WebApplication app, Uri baseAddress, TempDirectory dataDir)
    {
        _dataDir = dataDir;
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string DataDir => _dataDir.Path;

    /// <summary>
    /// A new client that, for a request asking <c>Expect: 100-continue</c>, waits for the server's answer before sending the body
    /// however long a loaded machine takes; the default sends the body after a second, racing the server's refusal and close.
    /// </summary>
    public HttpClient CreateClientWaitingForContinue() =>
        new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    public static async Task<QuarryServer> StartAsync(
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        var temp = new TempDirectory();
        var app = QuarryApp.Build(new ServeSettings("http://127.0.0.1:0", temp.Path), configure, map);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new QuarryServer(app, new Uri(address), temp);
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200 (e.g. once the demo model is trained).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            using var response = await Client.GetAsync("/readyz", TestContext.Current.CancellationToken);
            last = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode;
        }, timeout ?? TimeSpan.FromSeconds(60), () => "readiness (last answer: " + last + ")", TimeSpan.FromMilliseconds(50));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        _dataDir.Dispose();
    }
}
