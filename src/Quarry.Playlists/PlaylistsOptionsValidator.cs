using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Playlists;

/// <summary>Checks <see cref="PlaylistsOptions"/> at start.</summary>
internal sealed class PlaylistsOptionsValidator : IValidateOptions<PlaylistsOptions>
{
    public ValidateOptionsResult Validate(string? name, PlaylistsOptions options)
    {
        var checks = new SettingChecks(PlaylistsOptions.Section);
        checks.Range(nameof(options.PollInterval), options.PollInterval, SettingChecks.ShortestPoll, SettingChecks.LongestPoll);
        return checks.Result;
    }
}
