using System.CommandLine;
using System.Runtime.InteropServices;
using Quarry.Cli;

namespace Quarry;

/// <summary>
/// Runs the commands that must start in milliseconds (<c>--version</c>, <c>mine</c>) in this ahead-of-time compiled
/// process and replaces itself (execv, same PID and signals) with the full application for every other command.
/// </summary>
internal static partial class Launcher
{
    /// <summary>Folder of the full application, beside this executable.</summary>
    public const string ApplicationFolder = "app";

    public static int Run(string[] args)
    {
        if (args.Length > 0 && (args[0] is "mine" || (args.Length == 1 && args[0] is "--version")))
        {
            var root = new RootCommand("Quarry: machine-learning services in one program.") { MineCommand.Create() };
            return root.Parse(args).Invoke();
        }

        var application = Path.Combine(AppContext.BaseDirectory, ApplicationFolder, "quarry");
        if (!File.Exists(application))
        {
            Console.Error.WriteLine($"error: the Quarry application is missing at {application}; publish with ./publish.sh");
            return 1;
        }

        Exec(application, args);
        Console.Error.WriteLine($"error: could not start {application} (errno {Marshal.GetLastPInvokeError()})");
        return 1;
    }

    private static unsafe void Exec(string path, string[] args)
    {
        var argv = new nint[args.Length + 2];
        argv[0] = Marshal.StringToCoTaskMemUTF8(path);
        for (var i = 0; i < args.Length; i++)
        {
            argv[i + 1] = Marshal.StringToCoTaskMemUTF8(args[i]);
        }

        fixed (nint* pointers = argv)
        {
            _ = ExecV((byte*)argv[0], (byte**)pointers);
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static unsafe partial int ExecV(byte* path, byte** argv);
}
