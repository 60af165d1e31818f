using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quarry.TestSupport.Servers;

/// <summary>A real redis-sentinel on a free 127.0.0.1 port watching one primary under <see cref="Service"/>; stopped by its PID only.</summary>
public sealed class RedisSentinel(int primaryPort, string service = "quarry") : LocalServer("redis-sentinel")
{
    /// <summary>The redis-sentinel binary: $REDIS_SENTINEL, else the Debian package's path.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("REDIS_SENTINEL") ?? "/usr/bin/redis-sentinel";

    public string Service => service;

    /// <summary>How the job backend reaches the primary through this sentinel.</summary>
    public string ConnectionString => $"redis+sentinel://{Host}:{Port}/{Service}";

    protected override TimeSpan StartDeadline => TimeSpan.FromSeconds(15);

    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(20);

    private string LogPath => Path.Combine(WorkDirectory, "sentinel.log");

    /// <summary>Asks the sentinel which port the primary has now; null when it does not know or does not answer in time (busy failing over).</summary>
    public async Task<int?> PrimaryPortAsync()
    {
        var reply = await TryAskAsync($"SENTINEL get-master-addr-by-name {Service}");
        var lines = reply.Split("\r\n");
        // *2 $9 127.0.0.1 $n port
        return lines.Length >= 5 && int.TryParse(lines[4], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>How many replicas the sentinel has found for the primary.</summary>
    public async Task<int> ReplicaCountAsync()
    {
        var reply = await TryAskAsync($"SENTINEL replicas {Service}");
        return reply.StartsWith('*') && int.TryParse(reply.AsSpan(1, reply.IndexOf('\r', StringComparison.Ordinal) - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : 0;
    }

    protected override async Task<string> FailureLogAsync() => File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "(no log)";

    protected override Process Launch()
    {
        var config = Path.Combine(WorkDirectory, "sentinel.conf");
        File.WriteAllText(config, $"""
            port {Port}
            bind {Host}
            daemonize no
            dir {WorkDirectory}
            logfile {LogPath}
            sentinel monitor {Service} {Host} {primaryPort} 1
            sentinel down-after-milliseconds {Service} 1000
            sentinel failover-timeout {Service} 10000
            sentinel parallel-syncs {Service} 1

            """);
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add(config);
        return Process.Start(info) ?? throw new InvalidOperationException($"{Executable} did not start.");
    }

    protected override async Task<bool> ReadyAsync()
    {
        try
        {
            return (await AskAsync("PING")).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private async Task<string> TryAskAsync(string command)
    {
        try
        {
            return await AskAsync(command);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Sends one inline command and returns the raw reply (small replies only).</summary>
    private async Task<string> AskAsync(string command)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timeout.Token);
        var reply = new byte[16384];
        var read = await socket.ReceiveAsync(reply, timeout.Token);
        return Encoding.ASCII.GetString(reply, 0, read);
    }
}
