using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Quarry.Core.Settings;
using Quarry.Jobs.Backends.Redis;

namespace Quarry.Jobs;

/// <summary>Checks <see cref="JobsOptions"/> at start: what the chosen backend needs, and every range.</summary>
internal sealed partial class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var checks = new SettingChecks(JobsOptions.Section);
        switch (options.Backend)
        {
            case JobBackendKind.Redis:
                if (checks.Required(nameof(JobsOptions.Redis), options.Redis, "redis://127.0.0.1:6379"))
                {
                    try
                    {
                        _ = RedisConnectionString.Parse(options.Redis!, null);
                    }
                    catch (ArgumentException e)
                    {
                        checks.Fail($"{checks.Name(nameof(JobsOptions.Redis))} must be a redis://, rediss:// or redis+sentinel:// address " +
                                    $"({e.Message.TrimEnd('.')})");
                    }
                }

                checks.ExistingFile(nameof(JobsOptions.RedisCaCertificate), options.RedisCaCertificate);
                break;
            case JobBackendKind.RabbitMq:
                if (checks.Required(nameof(JobsOptions.RabbitMq), options.RabbitMq, "amqp://guest:guest@127.0.0.1:5672/"))
                {
                    checks.Url(nameof(JobsOptions.RabbitMq), options.RabbitMq, "amqp", "amqps");
                }

                checks.Required(nameof(JobsOptions.Postgres), options.Postgres, "\"Host=127.0.0.1;Username=quarry;Password=...;Database=quarry\"");
                break;
        }

        if (options.ServeWorkers is { } workers)
        {
            checks.Range(nameof(JobsOptions.ServeWorkers), workers, 0, 1024);
        }

        checks.Range(nameof(JobsOptions.LeaseDuration), options.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        checks.Range(nameof(JobsOptions.MaxAttempts), options.MaxAttempts, 1, 100);
        checks.Range(nameof(JobsOptions.RetryDelay), options.RetryDelay, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        if (!PrefixPattern().IsMatch(options.Prefix ?? ""))
        {
            checks.Fail($"{checks.Name(nameof(JobsOptions.Prefix))} must be a letter then up to 39 letters, digits or underscores (was '{options.Prefix}')");
        }

        return checks.Result;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,39}$")]
    private static partial Regex PrefixPattern();
}
