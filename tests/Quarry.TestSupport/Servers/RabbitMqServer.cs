using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace Quarry.TestSupport.Servers;

// Needs Debian's `rabbitmq-server` package. The node starts the shared epmd daemon (port 4369) if none runs;
// epmd is left running because other nodes on the machine may use it.

/// <summary>A throwaway RabbitMQ node on free 127.0.0.1 ports in its own temp directory; stopped by its PID only.</summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("quarry-rabbitmq-").FullName;
    private readonly string _nodeName = $"quarry-{Guid.NewGuid().ToString("N")[..8]}@localhost";
    private readonly ProcessLog _log = new();
    private Process? _process;
    private int _distributionPort;

    /// <summary>The server script: $RABBITMQ_SERVER, else the Debian package's (not the /usr/sbin wrapper, which switches user).</summary>
    public static string Executable => Environment.GetEnvironmentVariable("RABBITMQ_SERVER") ?? "/usr/lib/rabbitmq/bin/rabbitmq-server";

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>AMQP address with the default guest account, which this node allows on loopback.</summary>
    public Uri Uri => new($"amqp://guest:guest@{Host}:{Port}/");

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "rabbitmq.conf"),
            "loopback_users = none\ndisk_free_limit.absolute = 1MB\nvm_memory_high_watermark.relative = 0.8\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "rabbitmq-env.conf"), "");
        await StartAsync();
    }

    /// <summary>Starts the node (on the same ports and data as before, after a stop) and waits until it accepts AMQP connections.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("rabbitmq-server is already running.");
        }

        var keepPort = Port != 0;
        for (var attempt = 1; ; attempt++)
        {
            if (!keepPort)
            {
                Port = FreePort();
                _distributionPort = FreePort();
            }

            _process = Launch();
            if (await WaitUntilReadyAsync(_process))
            {
                return;
            }

            await StopAsync();
            // A fresh port can be taken by someone else between probing and binding; a restart keeps its ports.
            if (keepPort || attempt == 3)
            {
                throw new InvalidOperationException($"rabbitmq-server did not start on port {Port}:\n{_log}");
            }
        }
    }

    /// <summary>Stops the node: SIGTERM to its PID (the start script stops the VM cleanly), then its process tree if it lingers.</summary>
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
            await ServerProcess.StopAsync(process, ServerProcess.Terminate, TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process Launch()
    {
        var info = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        var environment = new Dictionary<string, string>
        {
            // The Erlang cookie lives in $HOME; a private one keeps this node apart from any other.
            ["HOME"] = _directory,
            ["RABBITMQ_NODENAME"] = _nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = Host,
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_directory, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_directory, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "rabbitmq.pid"),
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{Executable} did not start.");
        _log.Attach(process);
        return process;
    }

    private async Task<bool> WaitUntilReadyAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartDeadline && !process.HasExited)
        {
            if (await AcceptsConnectionsAsync())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        var factory = new ConnectionFactory
        {
            Uri = Uri,
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
        };
        try
        {
            await using var connection = await factory.CreateConnectionAsync();
            await connection.CloseAsync();
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }
}
