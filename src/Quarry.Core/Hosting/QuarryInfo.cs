using System.Reflection;

namespace Quarry.Core.Hosting;

/// <summary>Product name and version, read once from the assembly's informational version.</summary>
public static class QuarryInfo
{
    /// <summary>The product name shown in the UI and logs.</summary>
    public const string Product = "Quarry";

    /// <summary>The full informational version, e.g. <c>0.1.0+3f2a9c1</c>.</summary>
    public static string InformationalVersion { get; } =
        typeof(QuarryInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(QuarryInfo).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";

    /// <summary>The release number alone (<c>x.y.z</c>), without build metadata.</summary>
    public static string Version { get; } = InformationalVersion.Split('+')[0];
}
