using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Quarry.Bench.Fimi;

/// <summary>
/// The `fimi` suite: mines the FIMI reference runs and a synthetic playlist run, each in its own child processes
/// (cold single runs for whole-process time and peak memory, one warm process for best/median in-process times).
/// </summary>
internal static class FimiSuite
{
    private const int ColdProcesses = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = FimiOptions.Parse(args);
        if (options.ChildRun is { } child)
        {
            return FimiChild.Run(FimiRun.All[child], options.DataDirectory, options.Repeat);
        }

        if (!Directory.Exists(options.DataDirectory))
        {
            Console.Error.WriteLine($"data directory not found: {options.DataDirectory} (pass --data DIR)");
            return 2;
        }

        PrintMachine(options);
        Console.WriteLine("| run | transactions | min count | itemsets | expected | read best / median (ms) | mine best / median (ms) | process best (s) | peak RSS (MB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failures = 0;
        for (var index = 0; index < FimiRun.All.Count; index++)
        {
            var run = FimiRun.All[index];
            if (options.Only is { } only && !run.Name.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var coldSeconds = double.MaxValue;
            var peak = 0L;
            for (var i = 0; i < ColdProcesses; i++)
            {
                var (cold, seconds) = await RunChildAsync(index, options, 1);
                coldSeconds = Math.Min(coldSeconds, seconds);
                peak = Math.Max(peak, cold.PeakKilobytes);
            }

            var (warm, _) = await RunChildAsync(index, options, options.Repeat);
            var ok = warm.Itemsets == run.ExpectedCount;
            failures += ok ? 0 : 1;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {run.Name} | {warm.Transactions:N0} | {warm.MinCount:N0} | {warm.Itemsets:N0} | {run.ExpectedCount:N0}{(ok ? "" : " MISMATCH")} | {warm.ReadBest:F1} / {warm.ReadMedian:F1} | {warm.MineBest:F1} / {warm.MineMedian:F1} | {coldSeconds:F2} | {peak / 1024.0:F0} |"));
        }

        return failures == 0 ? 0 : 1;
    }

    private static void PrintMachine(FimiOptions options)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {cpu ?? "unknown CPU"}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"data: {Path.GetFullPath(options.DataDirectory)}; warm repeats: {options.Repeat}; cold processes: {ColdProcesses}");
        Console.WriteLine();
    }

    private static async Task<(FimiResult Result, double Seconds)> RunChildAsync(int index, FimiOptions options, int repeat)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(FimiSuite).Assembly.Location);
        }

        foreach (var arg in new[] { "fimi", "--child", index.ToString(CultureInfo.InvariantCulture), "--data", options.DataDirectory, "--repeat", repeat.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the benchmark child process");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"benchmark child for run {index} exited with {process.ExitCode}: {output}");
        }

        return (FimiResult.Parse(output), seconds);
    }
}
