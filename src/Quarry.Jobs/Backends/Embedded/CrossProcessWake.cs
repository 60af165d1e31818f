namespace Quarry.Jobs.Backends.Embedded;

/// <summary>
/// Lets workers in other processes on the same database file notice new work at once: a commit that makes a job
/// runnable writes one byte to <c>&lt;db&gt;.wake</c>, and every process watching that file pulses its takers.
/// Without file events (some network file systems) the takers' poll still finds the work.
/// </summary>
internal sealed class CrossProcessWake : IDisposable
{
    private readonly string _path;
    private readonly FileSystemWatcher? _watcher;
    private readonly byte[] _byte = [1];
    private WakeSignal? _wake;

    public CrossProcessWake(string databasePath)
    {
        _path = databasePath + ".wake";
        try
        {
            if (!File.Exists(_path))
            {
                File.WriteAllBytes(_path, _byte);
            }

            _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(_path)!, System.IO.Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Changed += (_, _) => _wake?.Pulse();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher?.Dispose();
            _watcher = null; // polling alone still works
        }
    }

    /// <summary>Whether other processes' commits reach this one as events; without, only polling finds their work.</summary>
    public bool Watching => _watcher is not null;

    /// <summary>The signal pulsed when another process (or this one) makes a job runnable.</summary>
    public void Attach(WakeSignal wake) => _wake = wake;

    /// <summary>Tells other processes that a job became runnable.</summary>
    public void Notify()
    {
        if (_watcher is null)
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.Write(handle, _byte, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The poll covers a missed notification.
        }
    }

    public void Dispose() => _watcher?.Dispose();
}
