using System.Globalization;
using Microsoft.Extensions.Options;

namespace Quarry.Vision.Service;

/// <summary>Checks <see cref="ClassificationOptions"/> at start; each failure names the setting as users write it.</summary>
internal sealed class ClassificationOptionsValidator : IValidateOptions<ClassificationOptions>
{
    private const string Prefix = "Quarry__Classification__";

    public ValidateOptionsResult Validate(string? name, ClassificationOptions options)
    {
        var failures = new List<string>();
        if (options.Executor.Trim().ToLowerInvariant() is not ("local" or "kubernetes"))
        {
            failures.Add($"{Prefix}Executor must be local or kubernetes (was '{options.Executor}')");
        }

        Range(failures, "Epochs", options.Epochs, 1, 1000);
        Range(failures, "FreeConcurrency", options.FreeConcurrency, 1, 64);
        Range(failures, "PremiumConcurrency", options.PremiumConcurrency, 1, 1024);
        if (!(options.CpuLimit is >= 0.1 and <= 64))
        {
            failures.Add($"{Prefix}CpuLimit must be from 0.1 to 64 (was {options.CpuLimit.ToString(CultureInfo.InvariantCulture)})");
        }

        if (!string.IsNullOrWhiteSpace(options.DatasetDir) && !Directory.Exists(options.DatasetDir))
        {
            failures.Add($"{Prefix}DatasetDir must be an existing folder (was '{options.DatasetDir}')");
        }

        Range(failures, "Kubernetes__BackoffLimit", options.Kubernetes.BackoffLimit, 0, 100);
        Range(failures, "Kubernetes__TtlSecondsAfterFinished", options.Kubernetes.TtlSecondsAfterFinished, 0, 30 * 24 * 3600);
        if (string.IsNullOrWhiteSpace(options.Kubernetes.Image))
        {
            failures.Add($"{Prefix}Kubernetes__Image must name an image (was empty)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{setting} must be from {min} to {max} (was {value})");
        }
    }
}
