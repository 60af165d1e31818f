using System.Runtime.InteropServices;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>Signals sent to processes the tests started, by their PID only.</summary>
internal static class Signals
{
    public const int Hangup = 1;
    public const int Interrupt = 2;
    public const int Terminate = 15;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
