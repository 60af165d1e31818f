using System.Runtime.InteropServices;

namespace Quarry.Playground;

/// <summary>The few libc calls the launcher needs that .NET does not expose.</summary>
internal static partial class Native
{
    public const int OCloexec = 0x80000;
    private const int FSetFd = 2;
    public const int SigKill = 9;

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buf, nint count);

    /// <summary>Creates a close-on-exec pipe and returns (read, write) descriptors.</summary>
    public static unsafe (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, OCloexec) != 0)
        {
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>Lets a descriptor survive exec so the next started child inherits it.</summary>
    public static void Inheritable(int fd)
    {
        if (fcntl(fd, FSetFd, 0) != 0)
        {
            throw new IOException($"fcntl failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static unsafe void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            nint done = 0;
            while (done < data.Length)
            {
                nint n = write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == 4)
                    {
                        continue;
                    }

                    throw new IOException($"write failed: errno {errno}");
                }

                done += n;
            }
        }
    }
}
