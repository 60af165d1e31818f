using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Quarry.Bench.Jobs;

/// <summary>A <c>quarry worker</c> child process started by the suite; stopped by its PID only (SIGTERM, then kill).</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    /// <summary>Starts <c>quarry worker</c> with the engine settings in <paramref name="environment"/>.</summary>
    public static WorkerProcess Start(string quarry, string workerId, int concurrency, IReadOnlyDictionary<string, string> environment) =>
        Start(quarry, ["worker", "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--worker-id", workerId], environment, workerId);

    /// <summary>
    /// Starts quarry with any arguments (e.g. <c>serve --urls ...</c>): <paramref name="quarry"/> is a <c>quarry.dll</c> (run by
    /// <c>dotnet</c>) or an executable (the launcher <c>./publish.sh</c> writes, which execs the ReadyToRun application in place).
    /// </summary>
    public static WorkerProcess Start(string quarry, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string? label = null)
    {
        var workerId = label ?? arguments[0];
        var viaDotnet = quarry.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(viaDotnet ? "dotnet" : quarry)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in viaDotnet ? (string[])[quarry, .. arguments] : [.. arguments])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start quarry worker");
        // Drained so a chatty worker never blocks on a full pipe; warnings go to the suite's stderr.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"[{workerId}] {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process);
    }

    /// <summary>CPU seconds used so far (read while the process still runs).</summary>
    public double CpuSeconds() => ProcessCpu.Own(_process.Id);

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM, then waits up to 20 s before killing it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, SigTerm);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
