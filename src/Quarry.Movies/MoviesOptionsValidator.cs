using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Movies;

/// <summary>Checks <see cref="MoviesOptions"/> at start.</summary>
internal sealed class MoviesOptionsValidator : IValidateOptions<MoviesOptions>
{
    public ValidateOptionsResult Validate(string? name, MoviesOptions options)
    {
        var checks = new SettingChecks(MoviesOptions.Section);
        if (options.Store == MovieStoreKind.Postgres)
        {
            checks.Required(nameof(options.Postgres), options.Postgres, "\"Host=127.0.0.1;Username=quarry;Password=...;Database=quarry\"");
        }

        checks.Range(nameof(options.PollInterval), options.PollInterval, SettingChecks.ShortestPoll, SettingChecks.LongestPoll);
        return checks.Result;
    }
}
