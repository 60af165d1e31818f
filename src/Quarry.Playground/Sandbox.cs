using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Quarry.Playground;

/// <summary>One single-use sandbox: Python already running inside bubblewrap, waiting for code on stdin.</summary>
internal sealed partial class Sandbox : IDisposable
{
    // Joins the cgroups, closes every descriptor the server inherited from its own parent except ours, then execs.
    private const string LaunchScript = """
keep=" 0 1 2 $1 $2 "; shift 2
for p in /proc/$$/fd/*; do n=${p##*/}; case "$keep" in *" $n "*) ;; *) eval "exec $n>&-" 2>/dev/null;; esac; done
while [ "$1" != -- ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@"
""";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly Lock SpawnLock = new();
    private static readonly byte[] Filter = SeccompFilter.Build();

    private readonly Process _process;
    private readonly StreamReader _marker;
    private readonly string _token;
    private readonly SandboxLimits _limits;
    private readonly SandboxCgroup? _cgroup;
    private readonly CancellationTokenSource _drain = new();
    private readonly Task<Capture> _stdout;
    private readonly Task<Capture> _stderr;
    private readonly int _pid;
    private int _used;
    private int _destroyed;

    private Sandbox(Process process, StreamReader marker, string token, SandboxLimits limits, SandboxCgroup? cgroup)
    {
        _process = process;
        _pid = process.Id;
        _marker = marker;
        _token = token;
        _limits = limits;
        _cgroup = cgroup;
        _stdout = CaptureAsync(process.StandardOutput.BaseStream, limits.OutputBytesPerStream, _drain.Token);
        _stderr = CaptureAsync(process.StandardError.BaseStream, limits.OutputBytesPerStream, _drain.Token);
    }

    public int Pid => _pid;

    public bool HasExited => _process.HasExited;

    /// <summary>Launches a sandbox and waits, up to <paramref name="startTimeout"/>, until the bootstrap has applied its limits and is reading stdin.</summary>
    public static async Task<Sandbox> StartAsync(
        SandboxCapabilities caps, SandboxLimits limits, CgroupLayout? cgroups, bool isolated, TimeSpan startTimeout, CancellationToken ct)
    {
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var cgroup = SandboxCgroup.TryCreate(cgroups, limits, "quarry-" + token[..16].ToLowerInvariant());
        var (markerRead, markerWrite) = Native.Pipe();
        int filterRead = -1;
        Process? process = null;
        try
        {
            if (isolated)
            {
                var (r, w) = Native.Pipe();
                filterRead = r;
                Native.WriteAll(w, Filter);
                _ = Native.close(w);
            }

            var psi = BuildStartInfo(caps, limits, cgroup, isolated, markerWrite, filterRead, token);

            // The child ends must be inheritable only for the instant of this one spawn.
            lock (SpawnLock)
            {
                Native.Inheritable(markerWrite);
                if (filterRead >= 0)
                {
                    Native.Inheritable(filterRead);
                }

                process = Process.Start(psi) ?? throw new InvalidOperationException("sandbox did not start");
            }
        }
        finally
        {
            _ = Native.close(markerWrite);
            if (filterRead >= 0)
            {
                _ = Native.close(filterRead);
            }

            if (process is null)
            {
                _ = Native.close(markerRead);
                if (cgroup is not null)
                {
                    await cgroup.RemoveAsync(TimeSpan.Zero).ConfigureAwait(false);
                }
            }
        }

        var marker = new StreamReader(new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(markerRead, ownsHandle: true)), Encoding.ASCII);
        var sandbox = new Sandbox(process, marker, token, limits, cgroup);
        try
        {
            string? line = await marker.ReadLineAsync(ct).AsTask().WaitAsync(startTimeout, ct).ConfigureAwait(false);
            if (line != token + " ready")
            {
                sandbox.Kill();
                var err = await sandbox._stderr.WaitAsync(DrainTimeout, CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException("sandbox failed to start: " + Encoding.UTF8.GetString(err.Bytes.Span).Trim());
            }
        }
        catch
        {
            await sandbox.DestroyAsync().ConfigureAwait(false);
            throw;
        }

        return sandbox;
    }

    /// <summary>Runs one piece of code; the sandbox is dead when this returns.</summary>
    public async Task<EvalResult> RunAsync(string code, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
        {
            throw new InvalidOperationException("a sandbox serves one run only");
        }

        var clock = Stopwatch.StartNew();
        using var wall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wall.CancelAfter(_limits.Wall);
        int? exitCode = null;
        bool timedOut = false;
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            try
            {
                await stdin.WriteAsync(Encoding.UTF8.GetBytes(code), wall.Token).ConfigureAwait(false);
                await stdin.FlushAsync(wall.Token).ConfigureAwait(false);
                stdin.Close();
            }
            catch (IOException)
            {
                // Python already died; its exit status tells the caller why.
            }

            var markerTask = ReadExitAsync(wall.Token);
            var exitTask = _process.WaitForExitAsync(wall.Token);
            await Task.WhenAny(markerTask, exitTask).ConfigureAwait(false);
            exitCode = markerTask.IsCompletedSuccessfully ? markerTask.Result : null;
            if (exitCode is null && markerTask.IsCompletedSuccessfully)
            {
                // The marker pipe closed without a marker: Python died; its exit status follows.
                await exitTask.ConfigureAwait(false);
                exitCode = ExitStatus();
            }
            else if (exitCode is null && exitTask.IsCompletedSuccessfully)
            {
                // The marker may still sit in the pipe; the writers are dead so EOF follows quickly.
                exitCode = await markerTask.WaitAsync(DrainTimeout, CancellationToken.None).ConfigureAwait(false) ?? ExitStatus();
            }
            else if (exitCode is null)
            {
                ct.ThrowIfCancellationRequested();
                timedOut = true;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            timedOut = true;
            exitCode = null;
        }
        catch (TimeoutException)
        {
            exitCode = ExitStatus();
        }
        finally
        {
            Kill();
        }

        _drain.CancelAfter(DrainTimeout);
        var stdout = await _stdout.ConfigureAwait(false);
        var stderr = await _stderr.ConfigureAwait(false);
        return new EvalResult(
            Decode(stdout.Bytes.Span),
            Decode(stderr.Bytes.Span),
            timedOut ? null : exitCode,
            timedOut,
            stdout.Truncated || stderr.Truncated,
            clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Kills the pid namespace's init (taking every process inside with it), then bwrap itself.</summary>
    public void Kill()
    {
        foreach (int pid in ChildPids(_pid))
        {
            _ = Native.kill(pid, Native.SigKill);
        }

        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        if (_cgroup is not null)
        {
            foreach (string procs in _cgroup.ProcsFiles)
            {
                foreach (int pid in ReadPids(procs))
                {
                    _ = Native.kill(pid, Native.SigKill);
                }
            }
        }
    }

    /// <summary>Waits for the sandbox to be gone and removes its cgroup; for use off the request path.</summary>
    public async Task DestroyAsync()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0)
        {
            return;
        }

        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        if (_cgroup is not null)
        {
            await _cgroup.RemoveAsync(DrainTimeout).ConfigureAwait(false);
        }

        Release();
    }

    /// <summary>Kills without waiting; the cgroup, if any, is left for <see cref="DestroyAsync"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0)
        {
            return;
        }

        Release();
    }

    private void Release()
    {
        Kill();
        _drain.Cancel();
        _marker.Dispose();
        _process.Dispose();
        _drain.Dispose();
    }

    private int? ExitStatus() => _process.HasExited ? _process.ExitCode : null;

    private async Task<int?> ReadExitAsync(CancellationToken ct)
    {
        string prefix = _token + " exit ";
        while (await _marker.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal) &&
                int.TryParse(line.AsSpan(prefix.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out int code))
            {
                return code;
            }
        }

        return null;
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static IEnumerable<int> ChildPids(int pid)
    {
        string path = $"/proc/{pid}/task/{pid}/children";
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return ParsePids(text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static IEnumerable<int> ReadPids(string procsFile)
    {
        try
        {
            return ParsePids(File.ReadAllLines(procsFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static List<int> ParsePids(IEnumerable<string> items) =>
        items.Select(s => int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int p) ? p : 0).Where(p => p > 1).ToList();
}
