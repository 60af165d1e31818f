using Microsoft.Extensions.Configuration;

namespace Quarry.Core.Hosting;

/// <summary>Settings every Quarry process shares, bound from the <c>Quarry</c> configuration section; checked by <see cref="ServerOptionsValidator"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>Configuration section name (<c>Quarry__...</c> in the environment).</summary>
    public const string Section = "Quarry";

    /// <summary>Configuration key listing the services a server runs (<c>Quarry__Services</c>, comma-separated); unset means all.</summary>
    public const string ServicesKey = "Quarry:Services";

    /// <summary>True when <see cref="ServicesKey"/> names <paramref name="service"/> explicitly (not when it is unset).</summary>
    public static bool NamesService(IConfiguration configuration, string service)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return (configuration[ServicesKey] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Contains(service, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Where models, datasets and embedded stores live (<c>--data-dir</c>, <c>QUARRY_DATA_DIR</c>).</summary>
    public string DataDir { get; set; } = "quarry-data";

    /// <summary>Largest request body accepted, in bytes (1 KiB to 2 GiB); larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Shortest time readiness reports "draining" after SIGTERM before the listener closes (0 to 10 minutes).</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Longest time in-flight requests get to finish after SIGTERM (1 s to 30 minutes).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
