using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Quarry.Playground;

/// <summary>Keeps pre-started single-use sandboxes; each serves one request and is replaced in the background.</summary>
public sealed partial class SandboxPool : IPythonEvaluator, IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly SandboxCapabilities _caps;
    private readonly CgroupLayout? _cgroups;
    private readonly SandboxLimits _limits;
    private readonly bool _isolated;
    private readonly ILogger _logger;
    private readonly Channel<Sandbox> _ready = Channel.CreateUnbounded<Sandbox>();
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private readonly Lock _backgroundLock = new();

    /// <param name="limits">Per-run limits; defaults when null.</param>
    /// <param name="size">Warm sandboxes kept ready, which is also the number of runs at once.</param>
    /// <param name="allowUnsafe">Run without namespace isolation when the host cannot provide it.</param>
    /// <param name="logger">Where start-up, unsafe-mode and failure messages go.</param>
    public SandboxPool(SandboxLimits? limits = null, int size = 2, bool allowUnsafe = false, ILogger<SandboxPool>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _limits = limits ?? new SandboxLimits();
        _logger = logger ?? NullLogger<SandboxPool>.Instance;
        _caps = SandboxProbe.Detect();
        Size = size;
        _isolated = _caps.IsolationWorks;
        if (!_isolated)
        {
            if (!allowUnsafe)
            {
                throw new InvalidOperationException(
                    "Python sandbox isolation is not available on this host (" + _caps + "). " +
                    "Install bubblewrap with user namespaces enabled, or pass allowUnsafe to run untrusted code without isolation.");
            }

            LogUnsafe(_logger, _caps.ToString());
        }

        _cgroups = _caps.CgroupMode == "none" ? null : CgroupLayout.Detect();
        LogStarted(_logger, size, _caps.ToString());
        _slots = new SemaphoreSlim(size, size);
        for (int i = 0; i < size; i++)
        {
            Replenish();
        }
    }

    public int Size { get; }

    public SandboxCapabilities Capabilities => _caps;

    /// <summary>Sandboxes started and waiting for a request.</summary>
    internal int ReadyCount => _ready.Reader.Count;

    public async Task<EvalResult> EvaluateAsync(string code, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(code);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var sandbox = await _ready.Reader.ReadAsync(ct).ConfigureAwait(false);
                if (sandbox.HasExited)
                {
                    Track(sandbox.DestroyAsync());
                    Replenish();
                    continue;
                }

                try
                {
                    return await sandbox.RunAsync(code, ct).ConfigureAwait(false);
                }
                finally
                {
                    // Replaced after the run so a launch never competes with the run it serves.
                    Track(sandbox.DestroyAsync());
                    Replenish();
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_backgroundLock)
        {
            pending = [.. _background];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _ready.Writer.TryComplete();
        while (_ready.Reader.TryRead(out var sandbox))
        {
            await sandbox.DestroyAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _slots.Dispose();
    }

    // Task.Run keeps even the synchronous part of a launch (cgroup setup, fork/exec) off the request path.
    private void Replenish() => Track(Task.Run(StartOneAsync));

    private async Task StartOneAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var sandbox = await Sandbox.StartAsync(_caps, _limits, _cgroups, _isolated, _stopping.Token).ConfigureAwait(false);
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

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Python sandbox pool of {Size} started: {Capabilities}")]
    private static partial void LogStarted(ILogger logger, int size, string capabilities);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Critical, Message = "UNSAFE: running untrusted Python WITHOUT namespace isolation because AllowUnsafe is set: {Capabilities}")]
    private static partial void LogUnsafe(ILogger logger, string capabilities);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "A Python sandbox failed to start; retrying")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
