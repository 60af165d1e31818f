using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Quarry.TestSupport.Servers;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>The quarry executable built beside the tests, run as a child process with a clean Quarry environment.</summary>
internal static partial class QuarryCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "quarry.dll");

    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(Dotnet) { UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("QUARRY", StringComparison.OrdinalIgnoreCase)
                                                             || k.StartsWith("Playground", StringComparison.OrdinalIgnoreCase)
                                                             || k is "ASPNETCORE_URLS" or "DATASET_URL" or "DATA_DIR").ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>Runs a command to completion and fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var info = StartInfo(args);
        var result = await Tool.RunAsync(info.FileName, info.ArgumentList, TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, $"quarry {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Both}");
        return result.Output;
    }

    /// <summary><c>quarry train playlists</c>: returns the model date it published.</summary>
    public static async Task<string> TrainAsync(string dataset, string dataDir, string version)
    {
        var output = await RunAsync("train", "playlists", "--dataset", dataset, "--data-dir", dataDir, "--model-version", version);
        var published = Published().Match(output);
        Assert.True(published.Success, output);
        Assert.Equal(version, published.Groups["version"].Value);
        return published.Groups["date"].Value;
    }

    [GeneratedRegex(@"Published model v(?<version>\S+) from (?<date>\d{4}-\d{2}-\d{2} [\d:.]+):")]
    private static partial Regex Published();
}

/// <summary>A `quarry serve` on a free 127.0.0.1 port behind the stand-in Service, ready once /readyz says 200.</summary>
internal sealed class ServeProcess(string dataDir, IReadOnlyDictionary<string, string> env) : LocalServer("serve")
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly StringBuilder _output = new();
    private Process? _process;

    protected override TimeSpan StartDeadline => TimeSpan.FromSeconds(90);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>SIGTERM, as the kubelet sends it, then the exit code once the process has drained and ended.</summary>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        Signals.Send(process.Id, Signals.Terminate);
        using var deadline = new CancellationTokenSource(within);
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode;
    }

    protected override Process Launch()
    {
        var info = QuarryCli.StartInfo(["serve", "--urls", $"http://{Host}:{Port}", "--data-dir", dataDir], env);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return process;
    }

    protected override async Task<bool> ReadyAsync()
    {
        try
        {
            using var response = await _client.GetAsync(new Uri($"http://{Host}:{Port}/readyz"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    protected override Task<string> FailureLogAsync() => Task.FromResult(Output);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
