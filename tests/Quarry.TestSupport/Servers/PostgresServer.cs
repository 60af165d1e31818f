using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Quarry.TestSupport.Servers;

// Needs Debian's `postgresql` package (the server binaries under /usr/lib/postgresql/<version>/bin).

/// <summary>A throwaway PostgreSQL cluster on a free 127.0.0.1 port in its own temp directory; stopped by its PID only.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private const string ServiceUser = "postgres";

    private readonly string _directory = Directory.CreateTempSubdirectory("quarry-pg-").FullName;
    private readonly ProcessLog _log = new();
    private Process? _process;

    /// <summary>The server binaries: $POSTGRES_BIN, else the newest Debian-packaged version.</summary>
    public static string BinDirectory => Environment.GetEnvironmentVariable("POSTGRES_BIN") ?? NewestDebianBin();

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Superuser connection to the <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host={Host};Port={Port};Username={ServiceUser};Database=postgres";

    private string DataDirectory => Path.Combine(_directory, "data");

    public async ValueTask InitializeAsync()
    {
        await CreateClusterAsync();
        await StartAsync();
    }

    /// <summary>Starts the server (on the same port as before, after a stop) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("postgres is already running.");
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

            await StopAsync();
            // A fresh port can be taken by someone else between probing and binding; a restart keeps its port.
            if (keepPort || attempt == 3)
            {
                throw new InvalidOperationException($"postgres did not start on port {Port}:\n{_log}");
            }
        }
    }

    /// <summary>Fast shutdown (SIGINT) of the server by its PID.</summary>
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
            await ServerProcess.StopAsync(process, ServerProcess.Interrupt, TimeSpan.FromSeconds(15));
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

    private static string NewestDebianBin()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
        return newest is null
            ? throw new InvalidOperationException("PostgreSQL server binaries not found: install the Debian package `postgresql` or set POSTGRES_BIN.")
            : Path.Combine(newest, "bin");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task CreateClusterAsync()
    {
        if (ServerProcess.IsRoot)
        {
            // initdb and postgres refuse to run as root, so the cluster belongs to the packaged service user.
            var (chownExit, chownOutput) = await ServerProcess.RunAsync(_directory, "chown", $"{ServiceUser}:{ServiceUser}", _directory);
            if (chownExit != 0)
            {
                throw new InvalidOperationException($"chown of {_directory} failed:\n{chownOutput}");
            }
        }

        var (file, args) = AsServiceUser(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var (exit, output) = await ServerProcess.RunAsync(_directory, file, args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"initdb failed ({exit}):\n{output}");
        }

        // Only loopback TCP and the private socket directory are trusted.
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    }

    private static (string File, string[] Args) AsServiceUser(string file, string[] args) =>
        ServerProcess.IsRoot
            ? ("setpriv", ["--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", "--", file, .. args])
            : (file, args);

    private Process Launch()
    {
        var (file, args) = AsServiceUser(Path.Combine(BinDirectory, "postgres"),
        [
            "-D", DataDirectory, "-p", Port.ToString(),
            "-c", $"listen_addresses={Host}", "-c", $"unix_socket_directories={_directory}",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300", "-c", "logging_collector=off",
        ]);
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // setpriv executes postgres in place, so this PID is the postmaster's.
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
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

            await Task.Delay(50);
        }

        return false;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection($"{ConnectionString};Pooling=false;Timeout=2");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
