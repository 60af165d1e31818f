using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Quarry.Jobs.Handlers;

namespace Quarry.Vision.Service.Local;

/// <summary>What a queued classification job carries.</summary>
internal sealed record ClassifyPayload(string Tier, string Model, string Dataset, string Name, string Namespace);

/// <summary>
/// Runs one classification job as a <c>quarry classify</c> child process in a CPU-limited cgroup, its output in
/// <c>log.txt</c> and its progress in <c>progress.json</c> of the job's run folder; returns <c>result.json</c>.
/// </summary>
internal sealed partial class ClassifyProcessHandler(LocalRunSettings settings, ILogger<ClassifyProcessHandler> logger) : IJobHandler
{
    public const string JobType = "classify";

    public string Type => JobType;

    public string? Validate(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("dataset", out var d) && d.ValueKind == JsonValueKind.String
            ? null : "A classify job needs {\"tier\",\"model\",\"dataset\",\"name\",\"namespace\"}.";

    public async Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.Payload.Deserialize(LocalJson.Default.ClassifyPayload)
            ?? throw new PermanentJobException("The classify job has no payload.");
        var run = settings.RunFolder(context.Id);
        Directory.CreateDirectory(run);
        File.Delete(Path.Combine(run, Training.ClassifyJob.ResultFileName));

        var (file, prefix) = QuarryExecutable.Resolve();
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in prefix)
        {
            info.ArgumentList.Add(arg);
        }

        string[] args =
        [
            "classify", "--dataset", payload.Dataset, "--model", payload.Model, "--epochs", settings.Epochs.ToString(CultureInfo.InvariantCulture),
            "--threads", settings.Threads.ToString(CultureInfo.InvariantCulture), "--seed", Seed(context.Id),
            "--data-dir", settings.DataDir, "--out", run,
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (settings.DatasetDir is { } datasetDir)
        {
            info.ArgumentList.Add("--dataset-dir");
            info.ArgumentList.Add(datasetDir);
        }

        await using var log = new StreamWriter(Path.Combine(run, "log.txt"), append: false) { AutoFlush = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("quarry classify did not start");
        string? group = null;
        try
        {
            group = Confine(process, payload.Name);
            var pump = Task.WhenAll(Pump(process.StandardOutput, log), Pump(process.StandardError, log));
            LogStarted(logger, payload.Name, process.Id, group ?? "no cgroup");
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw;
            }

            await pump;
        }
        finally
        {
            settings.Cgroup.Release(group);
        }

        var resultPath = Path.Combine(run, Training.ClassifyJob.ResultFileName);
        if (process.ExitCode == 0 && File.Exists(resultPath))
        {
            return await File.ReadAllTextAsync(resultPath, cancellationToken);
        }

        var error = LastError(Path.Combine(run, "log.txt")) ?? $"quarry classify exited with code {process.ExitCode}";
        // Exit code 2 is a bad option: running it again cannot help.
        throw process.ExitCode == 2 ? new PermanentJobException(error) : new InvalidOperationException(error);
    }

    private string? Confine(Process process, string name)
    {
        if (settings.Cgroup.Available)
        {
            try
            {
                return settings.Cgroup.Limit(name, process.Id, settings.CpuLimit);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogNoCgroup(logger, name, e.Message);
            }
        }

        try
        {
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited, or not permitted: it runs at normal priority with one thread.
        }

        return null;
    }

    private static async Task Pump(StreamReader reader, StreamWriter log)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    private static string? LastError(string logPath)
    {
        var lines = File.Exists(logPath) ? File.ReadAllLines(logPath) : [];
        return lines.LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal))?["error:".Length..].Trim();
    }

    private static string Seed(Guid id) => (BitConverter.ToInt32(id.ToByteArray(), 12) & int.MaxValue).ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = EventIds.ClassifyProcessHandlerStarted, Level = LogLevel.Information, Message = "Classification job {Name} started as process {Pid} ({Cgroup})")]
    private static partial void LogStarted(ILogger logger, string name, int pid, string cgroup);

    [LoggerMessage(EventId = EventIds.ClassifyProcessHandlerNoCgroup, Level = LogLevel.Warning, Message = "Classification job {Name} runs without a CPU cgroup: {Reason}")]
    private static partial void LogNoCgroup(ILogger logger, string name, string reason);
}
