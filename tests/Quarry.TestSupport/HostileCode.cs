namespace Quarry.TestSupport;

/// <summary>
/// Hostile Python programs the playground must contain, one copy for the sandbox tests and the HTTP tests,
/// and a look at the host's process table from outside the sandboxes.
/// </summary>
public static class HostileCode
{
    /// <summary>Forks until the process limit stops it.</summary>
    public const string ForkBomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass";

    /// <summary>Prints "allocated" if 10 GiB could be had at once.</summary>
    public const string TenGibibytesAtOnce = "x = bytearray(10 * 1024 ** 3)\nprint('allocated')";

    /// <summary>Grows by 1 MiB at a time, printing the MiB reached every 64.</summary>
    public const string MemoryInSmallChunks = "chunks = []\nwhile True:\n    chunks.append(bytearray(1024 * 1024))\n    if len(chunks) % 64 == 0:\n        print(len(chunks), flush=True)";

    /// <summary>Spins on the CPU.</summary>
    public const string InfiniteLoop = "while True:\n    pass";

    /// <summary>Prints "sleeping" and sleeps for 11 days.</summary>
    public const string SleepForever = "import time\nprint('sleeping', flush=True)\ntime.sleep(10 ** 6)";

    /// <summary>Writes 100 MB to stdout, then "done" to stderr.</summary>
    public const string HundredMegabytesToStdout = "import sys\nchunk = 'x' * 1000000\nfor _ in range(100):\n    sys.stdout.write(chunk)\nprint('done', file=sys.stderr)";

    /// <summary>Prints "wrote" if a 5 GB file could be written to /tmp.</summary>
    public const string FiveGigabyteFile = "chunk = b'0' * (1 << 20)\nwith open('/tmp/big', 'wb') as f:\n    for i in range(5 * 1024):\n        f.write(chunk)\nprint('wrote')";

    /// <summary>
    /// Leaves a daemon behind: forks, starts a new session, forks again and executes a sleeper whose command line holds
    /// <paramref name="mark"/>; prints "daemon up" once the daemon shows in /proc.
    /// </summary>
    public static string DoubleForkedDaemon(string mark) => $$"""
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv('/usr/bin/python3', ['python3', '-c', 'import time\nwhile True: time.sleep(1)', '{{mark}}'])
            os._exit(0)
        for _ in range(200):
            if any('{{mark}}' in open('/proc/' + p + '/cmdline').read() for p in os.listdir('/proc') if p.isdigit()):
                print('daemon up')
                break
            time.sleep(0.01)
        """;

    /// <summary>Reads a byte of a file, or lists a directory, at <c>path</c>: the action for <see cref="OnEachPath"/>.</summary>
    public const string Read = "os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(1)";

    /// <summary>Writes a file at <c>path</c>: the action for <see cref="OnEachPath"/>.</summary>
    public const string Write = "open(path, 'w').write('x')";

    /// <summary>Prints every process's environment and command line it can read from /proc, as <c>pid environ b'...'</c>.</summary>
    public const string ServerEnvironment = """
        import os
        print(dict(os.environ))
        for p in os.listdir('/proc'):
            if p.isdigit() or p == 'self':
                for name in ('environ', 'cmdline'):
                    try:
                        print(p, name, open('/proc/' + p + '/' + name, 'rb').read())
                    except OSError as e:
                        print(p, name, 'denied', e)
        """;

    /// <summary>
    /// Tries <paramref name="action"/> (Python using the variable <c>path</c>) on each of <paramref name="paths"/>, printing
    /// "<paramref name="done"/> path" when it works and "DENIED path errno" when the system refuses.
    /// </summary>
    public static string OnEachPath(string done, string action, params string[] paths) => $$"""
        import os
        for path in [{{string.Join(", ", paths.Select(Quote))}}]:
            try:
                {{action}}
                print('{{done}}', path)
            except OSError as e:
                print('DENIED', path, e.errno)
        """;

    /// <summary>A mark for <see cref="DoubleForkedDaemon"/> that no other process holds.</summary>
    public static string NewMark() => "quarry-daemon-" + Guid.NewGuid().ToString("N");

    /// <summary>True while any process on the host has <paramref name="mark"/> in its command line.</summary>
    public static bool AnyCommandLineContains(string mark) => Directory.EnumerateDirectories("/proc")
        .Where(d => int.TryParse(Path.GetFileName(d), out _))
        .Any(d => ReadOrEmpty(Path.Combine(d, "cmdline")).Contains(mark, StringComparison.Ordinal));

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
