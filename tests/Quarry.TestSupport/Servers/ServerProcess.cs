using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Quarry.TestSupport.Servers;

/// <summary>Starts helper commands and stops server processes a fixture started, by their PID only.</summary>
internal static class ServerProcess
{
    public const int Interrupt = 2;
    public const int Terminate = 15;

    /// <summary>True when the process runs as root, where database servers refuse to start.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then kills the process and its descendants.</summary>
    public static async Task StopAsync(Process process, int signal, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        if (SendSignal(process.Id, signal) == 0)
        {
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // It ignored the polite signal; fall through to killing it.
            }
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    /// <summary>Runs a short helper command to completion and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
