using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Text;

namespace Quarry.TestSupport.Servers;

/// <summary>A real redis-server on a free 127.0.0.1 port in its own temp directory; stopped by its PID only.</summary>
public sealed class RedisServer : LocalServer
{
    private readonly string[] _extraArgs;
    private readonly TestCertificates? _tls;

    public RedisServer()
        : this([], null)
    {
    }

    private RedisServer(string[] extraArgs, TestCertificates? tls)
        : base("redis-server") => (_extraArgs, _tls) = (extraArgs, tls);

    /// <summary>The redis-server binary: $REDIS_SERVER, else the Debian package's path.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("REDIS_SERVER") ?? "/usr/bin/redis-server";

    /// <summary><c>redis://</c>, or <c>rediss://</c> for a server that only speaks TLS.</summary>
    public string ConnectionString => $"{(_tls is null ? "redis" : "rediss")}://{Host}:{Port}";

    protected override TimeSpan StartDeadline => TimeSpan.FromSeconds(15);

    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(20);

    private string LogPath => Path.Combine(WorkDirectory, "redis.log");

    /// <summary>Starts a server with extra arguments, for example <c>"--requirepass", "secret"</c>.</summary>
    public static async Task<RedisServer> StartAsync(params string[] extraArgs)
    {
        var server = new RedisServer(extraArgs, null);
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

    /// <summary>Starts a server that accepts only TLS connections, with a certificate issued by <paramref name="certificates"/>' CA.</summary>
    public static async Task<RedisServer> StartTlsAsync(TestCertificates certificates, params string[] extraArgs)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var server = new RedisServer(extraArgs, certificates);
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

    /// <summary>Starts this server (on the same port as before, after a stop) and waits until it answers PING.</summary>
    public new Task StartAsync() => base.StartAsync();

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Redis is stopped with SIGKILL: the tests use it to cut connections abruptly.</summary>
    protected override async Task StopProcessAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
    }

    protected override async Task<string> FailureLogAsync() => File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "(no log)";

    protected override Process Launch()
    {
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardInput = true };
        string[] ports = _tls is null
            ? ["--port", Port.ToString()]
            : ["--port", "0", "--tls-port", Port.ToString(), "--tls-cert-file", _tls.ServerCertificatePath, "--tls-key-file", _tls.ServerKeyPath,
               "--tls-ca-cert-file", _tls.CaCertificatePath, "--tls-auth-clients", "no"];
        foreach (var arg in (string[])[.. ports, "--bind", Host, "--save", "", "--appendonly", "no", "--dir", WorkDirectory, "--logfile", LogPath, "--daemonize", "no"])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{Executable} did not start.");
    }

    protected override async Task<bool> ReadyAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (_tls is not null)
            {
                // Readiness only: the certificate itself is what the tests check.
                var tls = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Host }, timeout.Token);
                stream = tls;
            }

            await using var _ = stream;
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var reply = new byte[64];
            var read = await stream.ReadAsync(reply, timeout.Token);
            // A server with requirepass answers -NOAUTH, which still means it is up.
            return read > 0 && Encoding.ASCII.GetString(reply, 0, read) is var text && (text.StartsWith("+PONG", StringComparison.Ordinal) || text.StartsWith("-NOAUTH", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }
}
