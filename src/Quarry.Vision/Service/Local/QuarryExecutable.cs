namespace Quarry.Vision.Service.Local;

/// <summary>How to start this same program again as a child: the <c>quarry</c> apphost, or the dotnet host with <c>quarry.dll</c>.</summary>
internal static class QuarryExecutable
{
    /// <summary>The file to run and the arguments that come before the command's own.</summary>
    public static (string File, IReadOnlyList<string> Prefix) Resolve()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        if (string.Equals(Path.GetFileNameWithoutExtension(process), "quarry", StringComparison.Ordinal))
        {
            return (process, []);
        }

        var host = string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.Ordinal) ? process : "dotnet";
        var dll = Path.Combine(AppContext.BaseDirectory, "quarry.dll");
        return File.Exists(dll)
            ? (host, [dll])
            : throw new FileNotFoundException($"Cannot find quarry.dll beside {AppContext.BaseDirectory} to start classification jobs.", dll);
    }
}
