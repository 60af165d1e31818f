using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Core.Hosting;

/// <summary>Checks <see cref="ServerOptions"/> at start and creates the data directory, naming the setting to change when that fails.</summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var checks = new SettingChecks(ServerOptions.Section);
        if (checks.Required(nameof(ServerOptions.DataDir), options.DataDir, "/var/lib/quarry"))
        {
            try
            {
                Directory.CreateDirectory(Path.GetFullPath(options.DataDir));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                checks.Fail($"{checks.Name(nameof(ServerOptions.DataDir))} (--data-dir, QUARRY_DATA_DIR) must be a folder that can be created and written " +
                            $"(was '{options.DataDir}': {e.Message.TrimEnd('.')})");
            }
        }

        checks.Range(nameof(ServerOptions.MaxRequestBodyBytes), options.MaxRequestBodyBytes, 1024, 1L << 31);
        checks.Range(nameof(ServerOptions.DrainDelay), options.DrainDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        checks.Range(nameof(ServerOptions.ShutdownTimeout), options.ShutdownTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30));
        return checks.Result;
    }
}
