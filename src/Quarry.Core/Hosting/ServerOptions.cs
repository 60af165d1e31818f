using System.ComponentModel.DataAnnotations;

namespace Quarry.Core.Hosting;

/// <summary>Settings of the HTTP server, bound from the <c>Quarry</c> configuration section.</summary>
public sealed class ServerOptions
{
    /// <summary>Configuration section name (<c>Quarry__...</c> in the environment).</summary>
    public const string Section = "Quarry";

    /// <summary>Where models, datasets and embedded stores live (<c>--data-dir</c>, <c>QUARRY_DATA_DIR</c>).</summary>
    [Required]
    public string DataDir { get; set; } = "quarry-data";

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413.</summary>
    [Range(1024, 1L << 31)]
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Shortest time readiness reports "draining" after SIGTERM before the listener closes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Longest time in-flight requests get to finish after SIGTERM.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
