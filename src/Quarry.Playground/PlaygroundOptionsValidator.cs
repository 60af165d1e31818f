using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Playground;

/// <summary>Checks <see cref="PlaygroundOptions"/> and its per-run limits at start.</summary>
internal sealed class PlaygroundOptionsValidator : IValidateOptions<PlaygroundOptions>
{
    public ValidateOptionsResult Validate(string? name, PlaygroundOptions options)
    {
        var checks = new SettingChecks(PlaygroundOptions.Section);
        checks.ExistingFile(nameof(options.BubblewrapPath), options.BubblewrapPath);
        checks.Url(nameof(options.EvaluatorUrl), options.EvaluatorUrl?.OriginalString, "http", "https");
        checks.Range(nameof(options.WarmSandboxes), options.WarmSandboxes, 0, 64);
        checks.Range(nameof(options.MaxConcurrentRuns), options.MaxConcurrentRuns, 1, 1024);
        checks.Range(nameof(options.QueueTimeout), options.QueueTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        checks.Range(nameof(options.StartTimeout), options.StartTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        checks.Range(nameof(options.TotalMemoryBytes), options.TotalMemoryBytes, 0, long.MaxValue);
        checks.Range(nameof(options.MaxCodeBytes), options.MaxCodeBytes, 1, 4 << 20);
        if (options.Required && !options.AllowUnsandboxed && options.EvaluatorUrl is null && checks.Result.Succeeded)
        {
            // Required means this server exists to run the playground: without isolation it must not start at all.
            var capabilities = SandboxProbe.Detect(options.BubblewrapPath);
            if (!capabilities.IsolationWorks)
            {
                checks.Fail($"{checks.Name(nameof(options.Required))} is true but sandbox isolation is not available on this host ({capabilities}); " +
                            "install bubblewrap and python3 with user namespaces enabled, or set Quarry__Playground__AllowUnsandboxed=true to run untrusted " +
                            "code WITHOUT isolation (development only)");
            }
        }

        var limits = options.Limits;
        checks.Range("Limits:Wall", limits.Wall, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        checks.Range("Limits:MemoryBytes", limits.MemoryBytes, 16L << 20, 1L << 40);
        checks.Range("Limits:Processes", limits.Processes, 1, 4096);
        checks.Range("Limits:OutputBytesPerStream", limits.OutputBytesPerStream, 1, 16 << 20);
        checks.Range("Limits:FileBytes", limits.FileBytes, 0, 1L << 40);
        checks.Range("Limits:OpenFiles", limits.OpenFiles, 16, 65536);
        checks.Range("Limits:Cpu", limits.Cpu, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        checks.Range("Limits:TmpBytes", limits.TmpBytes, 1L << 20, 1L << 40);
        return checks.Result;
    }
}
