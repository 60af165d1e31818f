using System.Diagnostics;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace Quarry.TestSupport.Servers;

// Needs Debian's `rabbitmq-server` package. The node starts the shared epmd daemon (port 4369) if none runs;
// epmd is left running because other nodes on the machine may use it.

/// <summary>A throwaway RabbitMQ node on free 127.0.0.1 ports in its own temp directory; stopped by its PID only.</summary>
public sealed class RabbitMqServer() : LocalServer("rabbitmq-server")
{
    private readonly string _nodeName = $"quarry-{Guid.NewGuid().ToString("N")[..8]}@localhost";
    private int _distributionPort;

    /// <summary>The server script: $RABBITMQ_SERVER, else the Debian package's (not the /usr/sbin wrapper, which switches user).</summary>
    public static string Executable => Environment.GetEnvironmentVariable("RABBITMQ_SERVER") ?? "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>AMQP address with the default guest account, which this node allows on loopback.</summary>
    public Uri Uri => new($"amqp://guest:guest@{Host}:{Port}/");

    protected override TimeSpan StartDeadline => TimeSpan.FromSeconds(60);

    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(100);

    public override async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "rabbitmq.conf"),
            "loopback_users = none\ndisk_free_limit.absolute = 1MB\nvm_memory_high_watermark.relative = 0.8\n");
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "rabbitmq-env.conf"), "");
        await StartAsync();
    }

    protected override void AssignPorts()
    {
        base.AssignPorts();
        _distributionPort = FreePort();
    }

    /// <summary>SIGTERM to its PID (the start script stops the VM cleanly), then its process tree if it lingers.</summary>
    protected override Task StopProcessAsync(Process process) => ServerProcess.StopAsync(process, ServerProcess.Terminate, TimeSpan.FromSeconds(30));

    protected override Process Launch()
    {
        var info = new ProcessStartInfo(Executable);
        var environment = new Dictionary<string, string>
        {
            // The Erlang cookie lives in $HOME; a private one keeps this node apart from any other.
            ["HOME"] = WorkDirectory,
            ["RABBITMQ_NODENAME"] = _nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = Host,
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(WorkDirectory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(WorkDirectory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(WorkDirectory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(WorkDirectory, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(WorkDirectory, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(WorkDirectory, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(WorkDirectory, "rabbitmq.pid"),
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return StartLogged(info);
    }

    protected override async Task<bool> ReadyAsync()
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
