using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Quarry.Playground;

/// <summary>
/// Runs code in single-use sandboxes. A few are kept started (Python running, waiting on stdin); each serves one request
/// and is replaced in the background. Up to <see cref="PlaygroundOptions.MaxConcurrentRuns"/> run at once, so a burst of
/// busy loops cannot queue a cheap request behind them; a request beyond the warm ones starts its own sandbox.
/// </summary>
public sealed partial class SandboxPool : IPythonEvaluator, IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static int s_pools;
    private readonly SandboxCapabilities _caps;
    private readonly CgroupLayout? _cgroups;
    private readonly IReadOnlyList<string> _parentCgroups = [];
    private readonly PlaygroundOptions _options;
    private readonly bool _isolated;
    private readonly ILogger _logger;
    private readonly PlaygroundMetrics? _metrics;
    private readonly Channel<Sandbox> _ready = Channel.CreateUnbounded<Sandbox>();
    private readonly SemaphoreSlim _runs;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private readonly Lock _backgroundLock = new();
    private readonly Lock _supplyLock = new();
    private int _waiting;
    private int _starting;

    /// <summary>Probes the host's isolation and starts the warm sandboxes.</summary>
    /// <exception cref="SandboxUnavailableException">No working isolation and <see cref="PlaygroundOptions.AllowUnsandboxed"/> is not set.</exception>
    public SandboxPool(PlaygroundOptions? options = null, ILogger<SandboxPool>? logger = null, PlaygroundMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options ?? new PlaygroundOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.WarmSandboxes);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentRuns, 1);
        _logger = logger ?? NullLogger<SandboxPool>.Instance;
        _caps = SandboxProbe.Detect(_options.BubblewrapPath);
        _isolated = _caps.IsolationWorks;
        if (!_isolated)
        {
            if (!_options.AllowUnsandboxed)
            {
                throw new SandboxUnavailableException(
                    "Python sandbox isolation is not available on this host (" + _caps + "). Install bubblewrap and python3 with user " +
                    "namespaces enabled, or set Quarry__Playground__AllowUnsandboxed=true to run untrusted code WITHOUT isolation (development only).");
            }

            LogUnsafe(_logger, _caps.ToString());
        }

        if (_caps.CgroupMode != "none")
        {
            var name = $"quarry-playground-{Environment.ProcessId}-{Interlocked.Increment(ref s_pools)}";
            (_cgroups, _parentCgroups) = CgroupLayout.Detect().CreatePoolParent(name, _options.TotalMemoryBytes);
        }

        LogStarted(_logger, _options.WarmSandboxes, _options.MaxConcurrentRuns, _caps.ToString());
        _runs = new SemaphoreSlim(_options.MaxConcurrentRuns, _options.MaxConcurrentRuns);
        Supply(waiting: 0);
    }

    /// <summary>What isolation the sandboxes get.</summary>
    public SandboxCapabilities Capabilities => _caps;

    /// <summary>Whether runs are isolated (false only when <see cref="PlaygroundOptions.AllowUnsandboxed"/> let the pool start without).</summary>
    public bool Isolated => _isolated;

    /// <summary>Runs in progress.</summary>
    public int Running => _options.MaxConcurrentRuns - _runs.CurrentCount;

    /// <summary>Sandboxes kept started.</summary>
    public int WarmSandboxes => _options.WarmSandboxes;

    /// <summary>Processes in the pool's cgroups (the pids hierarchy, or else the first one), warm sandboxes included; -1 without cgroups.</summary>
    internal int CgroupProcesses()
    {
        var parent = _cgroups?.Pids ?? _cgroups?.Memory ?? _cgroups?.Cpu;
        if (parent is null || !_parentCgroups.Contains(parent))
        {
            return -1;
        }

        int count = 0;
        foreach (var procs in Directory.EnumerateFiles(parent, "cgroup.procs", SearchOption.AllDirectories))
        {
            try
            {
                count += File.ReadAllLines(procs).Count(l => l.Length > 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The run's cgroup was removed while being read: it holds nobody.
            }
        }

        return count;
    }

    /// <summary>Sandboxes started and waiting for a request.</summary>
    internal int ReadyCount => _ready.Reader.Count;

    /// <inheritdoc/>
    public async Task<EvalResult> EvaluateAsync(string code, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(code);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (!await _runs.WaitAsync(_options.QueueTimeout, ct).ConfigureAwait(false))
        {
            throw EvaluatorException.Busy(
                $"All {_options.MaxConcurrentRuns} run slots stayed busy for {_options.QueueTimeout.TotalSeconds:0.#} s; try again shortly.", _options.Limits.Wall);
        }

        try
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
            var sandbox = await TakeAsync(run.Token).ConfigureAwait(false);
            try
            {
                return await sandbox.RunAsync(code, run.Token).ConfigureAwait(false);
            }
            finally
            {
                // Replaced after the run so a launch never competes with the run it serves.
                Track(sandbox.DestroyAsync());
                Supply(waiting: 0);
            }
        }
        finally
        {
            _runs.Release();
        }
    }

    /// <summary>Stops every sandbox, waits for the background work and removes the pool's cgroups.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _ready.Writer.TryComplete();
        while (true)
        {
            while (_ready.Reader.TryRead(out var sandbox))
            {
                Track(sandbox.DestroyAsync());
            }

            Task[] pending;
            lock (_backgroundLock)
            {
                pending = [.. _background.Where(t => !t.IsCompleted)];
            }

            if (pending.Length == 0 && _ready.Reader.Count == 0)
            {
                break;
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        CgroupLayout.RemoveDirectories(_parentCgroups);
        _stopping.Dispose();
    }

    /// <summary>
    /// Takes a started sandbox, first making sure one is ready or starting for every waiting request: a request
    /// waits for a launch already under way (starting another would only compete with it for the CPU) and starts
    /// its own when there is none, so a burst of long runs never queues a cheap one behind them.
    /// </summary>
    private async Task<Sandbox> TakeAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.QueueTimeout + _options.StartTimeout);
        Supply(waiting: 1);
        try
        {
            while (true)
            {
                var sandbox = await _ready.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
                if (!sandbox.HasExited)
                {
                    return sandbox;
                }

                Track(sandbox.DestroyAsync());
                Supply(waiting: 0);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw EvaluatorException.Busy("No Python sandbox could be started in time; see the server log.", TimeSpan.FromSeconds(5));
        }
        finally
        {
            lock (_supplyLock)
            {
                _waiting--;
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="waiting"/> to the waiting requests, then starts as many sandboxes as are missing for
    /// max(waiting requests, warm size) to be ready or starting.
    /// </summary>
    private void Supply(int waiting)
    {
        int missing;
        lock (_supplyLock)
        {
            _waiting += waiting;
            missing = Math.Max(_waiting, _options.WarmSandboxes) - _ready.Reader.Count - _starting;
            if (missing <= 0 || _stopping.IsCancellationRequested)
            {
                return;
            }

            _starting += missing;
        }

        for (int i = 0; i < missing; i++)
        {
            // Task.Run keeps even the synchronous part of a launch (cgroup setup, fork/exec) off the request path.
            Track(Task.Run(StartOneAsync));
        }
    }

    private async Task StartOneAsync()
    {
        try
        {
            await LaunchAsync().ConfigureAwait(false);
        }
        finally
        {
            // After the sandbox is in the channel: counting it twice for a moment only delays a launch, never loses one.
            lock (_supplyLock)
            {
                _starting--;
            }
        }
    }

    private async Task LaunchAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var sandbox = await Sandbox.StartAsync(_caps, _options.Limits, _cgroups, _isolated, _options.StartTimeout, _stopping.Token).ConfigureAwait(false);
                _metrics?.SandboxStarted(System.Diagnostics.Stopwatch.GetElapsedTime(started));
                // After stopping, DisposeAsync drains the channel, so a late sandbox is destroyed here instead.
                if (_stopping.IsCancellationRequested || !_ready.Writer.TryWrite(sandbox))
                {
                    await sandbox.DestroyAsync().ConfigureAwait(false);
                }

                return;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                LogStartFailed(_logger, e);
                try
                {
                    await Task.Delay(RetryDelay, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Track(Task task)
    {
        lock (_backgroundLock)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    [LoggerMessage(EventId = EventIds.SandboxPoolStarted, Level = LogLevel.Information, Message = "Python sandbox pool started: {Warm} warm, at most {MaxRuns} runs at once; {Capabilities}")]
    private static partial void LogStarted(ILogger logger, int warm, int maxRuns, string capabilities);

    [LoggerMessage(EventId = EventIds.SandboxPoolUnsafe, Level = LogLevel.Critical, Message = "UNSAFE: running untrusted Python WITHOUT namespace isolation because Quarry__Playground__AllowUnsandboxed is set: {Capabilities}")]
    private static partial void LogUnsafe(ILogger logger, string capabilities);

    [LoggerMessage(EventId = EventIds.SandboxPoolStartFailed, Level = LogLevel.Warning, Message = "A Python sandbox failed to start; retrying")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
