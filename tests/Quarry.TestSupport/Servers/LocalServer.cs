using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Quarry.TestSupport.Servers;

/// <summary>
/// A real server process that a fixture runs on free 127.0.0.1 ports in its own temp directory and stops by its PID
/// only. Subclasses say how to launch it, how to tell it is ready and how to stop it politely.
/// </summary>
public abstract class LocalServer : IAsyncLifetime
{
    private readonly TempDirectory _work;
    private Process? _process;

    /// <param name="name">Executable name, used in messages and in the temp directory's name.</param>
    protected LocalServer(string name)
    {
        Name = name;
        _work = new TempDirectory($"quarry-{name}-");
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    protected string Name { get; }

    /// <summary>The server's own temp directory, removed on dispose.</summary>
    protected string WorkDirectory => _work.Path;

    /// <summary>The last lines the server printed (for processes started with redirected output).</summary>
    internal ProcessLog Log { get; } = new();

    /// <summary>How long a start may take before it counts as failed.</summary>
    protected abstract TimeSpan StartDeadline { get; }

    /// <summary>How often readiness is polled during a start.</summary>
    protected virtual TimeSpan PollInterval => TimeSpan.FromMilliseconds(50);

    public virtual async ValueTask InitializeAsync() => await StartAsync();

    /// <summary>Starts the server (on the same ports as before, after a stop) and waits until it is ready.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var keepPort = Port != 0;
        for (var attempt = 1; ; attempt++)
        {
            if (!keepPort)
            {
                AssignPorts();
            }

            _process = Launch();
            if (await WaitUntilReadyAsync(_process))
            {
                return;
            }

            var why = await FailureLogAsync();
            await StopAsync();
            // A fresh port can be taken by someone else between probing and binding; a restart keeps its ports.
            if (keepPort || attempt == 3)
            {
                throw new InvalidOperationException($"{Name} did not start on port {Port}:\n{why}");
            }
        }
    }

    /// <summary>Stops the server by its PID (see <see cref="StopProcessAsync"/>) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            await StopProcessAsync(process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _work.Dispose();

        GC.SuppressFinalize(this);
    }

    /// <summary>A port nobody listens on right now.</summary>
    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Picks the ports of a fresh start; the default takes one for <see cref="Port"/>.</summary>
    protected virtual void AssignPorts() => Port = FreePort();

    /// <summary>Starts the server process.</summary>
    protected abstract Process Launch();

    /// <summary>One readiness check; false until the server answers.</summary>
    protected abstract Task<bool> ReadyAsync();

    /// <summary>Stops the process politely, then by force; by default SIGTERM with 15 s of grace.</summary>
    protected virtual Task StopProcessAsync(Process process) => ServerProcess.StopAsync(process, ServerProcess.Terminate, TimeSpan.FromSeconds(15));

    /// <summary>What to show when a start failed; by default the captured output.</summary>
    protected virtual Task<string> FailureLogAsync() => Task.FromResult(Log.ToString());

    /// <summary>Starts a process with redirected output captured into <see cref="Log"/>.</summary>
    protected Process StartLogged(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = WorkDirectory;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        Log.Attach(process);
        return process;
    }

    private async Task<bool> WaitUntilReadyAsync(Process process)
    {
        var ready = false;
        try
        {
            await Wait.UntilAsync(async () => process.HasExited || (ready = await ReadyAsync()), StartDeadline, $"{Name} to be ready", PollInterval);
        }
        catch (TimeoutException)
        {
            // Reported by the caller with the server's own output.
        }

        return ready;
    }
}
