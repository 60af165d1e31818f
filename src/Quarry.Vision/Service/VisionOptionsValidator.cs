using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Vision.Service;

/// <summary>Checks <see cref="VisionOptions"/> at start.</summary>
internal sealed class VisionOptionsValidator : IValidateOptions<VisionOptions>
{
    public ValidateOptionsResult Validate(string? name, VisionOptions options)
    {
        var checks = new SettingChecks(VisionOptions.Section);
        checks.Range(nameof(options.Epochs), options.Epochs, 1, 1000);
        checks.Range(nameof(options.FreeConcurrency), options.FreeConcurrency, 1, 64);
        checks.Range(nameof(options.PremiumConcurrency), options.PremiumConcurrency, 1, 1024);
        checks.Range(nameof(options.CpuLimit), options.CpuLimit, 0.1, 64);
        checks.ExistingFolder(nameof(options.DatasetDir), options.DatasetDir);
        checks.Range("Kubernetes:BackoffLimit", options.Kubernetes.BackoffLimit, 0, 100);
        checks.Range("Kubernetes:TtlSecondsAfterFinished", options.Kubernetes.TtlSecondsAfterFinished, 0, 30 * 24 * 3600);
        checks.Required("Kubernetes:Image", options.Kubernetes.Image, "registry.example.com/quarry:1.0");
        return checks.Result;
    }
}
