using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Predict;

/// <summary>Checks <see cref="PredictOptions"/> at start.</summary>
internal sealed class PredictOptionsValidator : IValidateOptions<PredictOptions>
{
    public ValidateOptionsResult Validate(string? name, PredictOptions options)
    {
        var checks = new SettingChecks(PredictOptions.Section);
        if (options.Dataset is { Length: > 0 } dataset && !dataset.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !dataset.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            checks.ExistingFile(nameof(options.Dataset), dataset);
        }

        checks.Range(nameof(options.PollInterval), options.PollInterval, SettingChecks.ShortestPoll, SettingChecks.LongestPoll);
        return checks.Result;
    }
}
