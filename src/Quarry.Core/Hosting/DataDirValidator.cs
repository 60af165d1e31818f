using Microsoft.Extensions.Options;

namespace Quarry.Core.Hosting;

/// <summary>Creates the data directory at start, and names the setting to change when that fails.</summary>
internal sealed class DataDirValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        try
        {
            Directory.CreateDirectory(Path.GetFullPath(options.DataDir));
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ValidateOptionsResult.Fail(
                $"The data directory '{options.DataDir}' cannot be created ({e.Message}). " +
                "Set --data-dir or QUARRY_DATA_DIR to a writable directory.");
        }
    }
}
