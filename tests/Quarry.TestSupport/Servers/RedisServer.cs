using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Quarry.Redis;

namespace Quarry.TestSupport.Servers;

/// <summary>A real redis-server on a free 127.0.0.1 port in its own temp directory; stopped by its PID only.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    private readonly string[] _extraArgs;
    private readonly string _directory = Directory.CreateTempSubdirectory("quarry-redis-").FullName;
    private Process? _process;

    public RedisServer()
        : this([])
    {
    }

    private RedisServer(string[] extraArgs) => _extraArgs = extraArgs;

    /// <summary>The redis-server binary: $REDIS_SERVER, else the Debian package's path.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    public string ConnectionString => $"redis://{Host}:{Port}";

    /// <summary>Starts a server with extra arguments, for example <c>"--requirepass", "secret"</c>.</summary>
    public static async Task<RedisServer> StartAsync(params string[] extraArgs)
    {
        var server = new RedisServer(extraArgs);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask InitializeAsync() => await StartAsync();

    public RedisOptions Options(Action<RedisOptions>? configure = null)
    {
        var options = RedisOptions.Parse(ConnectionString);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Starts the server (on the same port as before, after a stop) and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        var keepPort = Port != 0;
        for (var attempt = 1; ; attempt++)
        {
            if (!keepPort)
            {
                Port = FreePort();
            }

            _process = Launch();
            if (await WaitUntilReadyAsync(_process))
            {
                return;
            }

            var log = File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "(no log)";
            await KillAsync();
            // A fresh port can be taken by someone else between probing and binding; a restart keeps its port.
            if (keepPort || attempt == 3)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}:\n{log}");
            }
        }
    }

    /// <summary>Kills the server process (by PID) and waits for it to exit.</summary>
    public Task StopAsync() => KillAsync();

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private string LogPath => Path.Combine(_directory, "redis.log");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process Launch()
    {
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var arg in (string[])["--port", Port.ToString(), "--bind", Host, "--save", "", "--appendonly", "no",
                     "--dir", _directory, "--logfile", LogPath, "--daemonize", "no"])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{Executable} did not start.");
    }

    private async Task<bool> WaitUntilReadyAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartDeadline && !process.HasExited)
        {
            if (await AnswersPingAsync())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            await socket.SendAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var reply = new byte[64];
            var read = await socket.ReceiveAsync(reply, timeout.Token);
            // A server with requirepass answers -NOAUTH, which still means it is up.
            return read > 0 && Encoding.ASCII.GetString(reply, 0, read) is var text && (text.StartsWith("+PONG", StringComparison.Ordinal) || text.StartsWith("-NOAUTH", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task KillAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
        }
    }
}
