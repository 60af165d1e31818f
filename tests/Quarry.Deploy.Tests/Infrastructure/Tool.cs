using System.Diagnostics;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>Runs a command line tool to completion within a deadline; the process is killed by its PID if it overruns.</summary>
internal static class Tool
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Both => Output + Error;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran longer than {timeout}:\n{await output}{await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>The full path of an executable on PATH, or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The full path of an executable the test cannot do without.</summary>
    public static string Require(string name, string package) =>
        Find(name) ?? throw new InvalidOperationException($"{name} is not on PATH; .ci/run installs it (Debian package {package}).");
}
