using System.Diagnostics;
using Quarry.TestSupport.Servers;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>The published `quarry serve` run by <see cref="ImageSandbox"/> on a free 127.0.0.1 port, ready once /readyz says 200.</summary>
internal sealed class ImageServer : LocalServer
{
    private readonly string _publishDirectory;
    private readonly Dockerfile.Stage _image;
    private readonly bool _unmaskedProc;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>A server from <paramref name="publishDirectory"/> run as <paramref name="image"/> runs it; <paramref name="environment"/> adds variables (ASPNETCORE_URLS is this server's port).</summary>
    public ImageServer(string publishDirectory, Dockerfile.Stage image, bool unmaskedProc, IReadOnlyDictionary<string, string> environment)
        : base("image")
    {
        _publishDirectory = publishDirectory;
        _image = image;
        _unmaskedProc = unmaskedProc;
        _environment = environment;
    }

    public HttpClient Client => _client;

    /// <summary>The sandbox this server runs in, for running other commands (the HEALTHCHECK) the same way.</summary>
    public ImageSandbox Sandbox()
    {
        var sandbox = new ImageSandbox(_publishDirectory, DataDirectory, _image) { UnmaskedProc = _unmaskedProc };
        foreach (var (key, value) in _environment)
        {
            sandbox.Environment[key] = value;
        }

        sandbox.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        return sandbox;
    }

    public Uri BaseAddress => new($"http://{Host}:{Port}");

    public string DataDirectory => Path.Combine(WorkDirectory, "data");

    protected override TimeSpan StartDeadline => TimeSpan.FromMinutes(3);

    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(200);

    protected override Process Launch()
    {
        var sandbox = Sandbox();
        sandbox.PrepareAsync().GetAwaiter().GetResult();
        return StartLogged(sandbox.StartInfo());
    }

    protected override async Task<bool> ReadyAsync()
    {
        try
        {
            using var response = await _client.GetAsync(new Uri(BaseAddress, "/readyz"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    protected override Task StopProcessAsync(Process process)
    {
        // Everything in the sandbox goes with it; nothing outside is touched.
        process.Kill(entireProcessTree: true);
        return process.WaitForExitAsync();
    }
}
