using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Quarry.TestSupport;

namespace Quarry.Tests.Infrastructure;

/// <summary>A <c>quarry</c> (or test server) child process, with its output captured and signals sent by PID.</summary>
public sealed partial class QuarryProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private QuarryProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public Uri? BaseAddress { get; private set; }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of an assembly built beside the tests (quarry.dll, Quarry.TestServer.dll).</summary>
    public static string Beside(string assembly) => Path.Combine(AppContext.BaseDirectory, assembly);

    /// <summary>Starts <c>dotnet ASSEMBLY ARGS</c> with a cleared QUARRY_/Quarry__ environment plus <paramref name="env"/>.</summary>
    public static QuarryProcess Start(string assembly, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Beside(assembly));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("QUARRY", StringComparison.OrdinalIgnoreCase) || k == "ASPNETCORE_URLS").ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new QuarryProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Runs to completion and returns (exit code, output).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string assembly, params string[] args)
    {
        await using var process = Start(assembly, args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }

    /// <summary>Waits for Kestrel's "Now listening on" line and returns the address.</summary>
    public async Task<Uri> WaitForListeningAsync(TimeSpan? timeout = null)
    {
        var match = await WaitForOutputAsync(ListeningLine(), timeout ?? TimeSpan.FromSeconds(60));
        BaseAddress = new Uri(match.Groups["url"].Value);
        return BaseAddress;
    }

    /// <summary>Polls the captured output until <paramref name="pattern"/> appears or the deadline passes.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var match = Match.Empty;
        await Wait.UntilAsync(() => (match = pattern.Match(Output)).Success || _process.HasExited, timeout, () => $"'{pattern}'. Output:\n{Output}");
        return match.Success ? match : throw new InvalidOperationException($"'{pattern}' not seen before the process exited. Output:\n{Output}");
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Pid} still running after {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [GeneratedRegex(@"Now listening on: (?<url>http://[^\s""]+)")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
