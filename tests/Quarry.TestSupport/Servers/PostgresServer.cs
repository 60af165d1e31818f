using System.Diagnostics;
using Npgsql;

namespace Quarry.TestSupport.Servers;

// Needs Debian's `postgresql` package (the server binaries under /usr/lib/postgresql/<version>/bin).

/// <summary>A throwaway PostgreSQL cluster on a free 127.0.0.1 port in its own temp directory; stopped by its PID only.</summary>
public sealed class PostgresServer() : LocalServer("postgres")
{
    private const string ServiceUser = "postgres";

    /// <summary>The server binaries: $POSTGRES_BIN, else the newest Debian-packaged version.</summary>
    public static string BinDirectory => Environment.GetEnvironmentVariable("POSTGRES_BIN") ?? NewestDebianBin();

    /// <summary>Superuser connection to the <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host={Host};Port={Port};Username={ServiceUser};Database=postgres";

    /// <summary>Extra server settings, passed as <c>-c name=value</c> (e.g. <c>shared_preload_libraries=pg_stat_statements</c>).</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    protected override TimeSpan StartDeadline => TimeSpan.FromSeconds(30);

    private string DataDirectory => Path.Combine(WorkDirectory, "data");

    public override async ValueTask InitializeAsync()
    {
        await CreateClusterAsync();
        await StartAsync();
    }

    /// <summary>Fast shutdown: SIGINT to the postmaster.</summary>
    protected override Task StopProcessAsync(Process process) => ServerProcess.StopAsync(process, ServerProcess.Interrupt, TimeSpan.FromSeconds(15));

    protected override Process Launch()
    {
        var (file, args) = AsServiceUser(Path.Combine(BinDirectory, "postgres"),
        [
            "-D", DataDirectory, "-p", Port.ToString(),
            "-c", $"listen_addresses={Host}", "-c", $"unix_socket_directories={WorkDirectory}",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300", "-c", "logging_collector=off",
            .. Settings.SelectMany(setting => new[] { "-c", setting }),
        ]);
        var info = new ProcessStartInfo(file);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // setpriv executes postgres in place, so this PID is the postmaster's.
        return StartLogged(info);
    }

    protected override async Task<bool> ReadyAsync()
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

    private static (string File, string[] Args) AsServiceUser(string file, string[] args) =>
        ServerProcess.IsRoot
            ? ("setpriv", ["--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", "--", file, .. args])
            : (file, args);

    private async Task CreateClusterAsync()
    {
        if (ServerProcess.IsRoot)
        {
            // initdb and postgres refuse to run as root, so the cluster belongs to the packaged service user.
            var (chownExit, chownOutput) = await ServerProcess.RunAsync(WorkDirectory, "chown", $"{ServiceUser}:{ServiceUser}", WorkDirectory);
            if (chownExit != 0)
            {
                throw new InvalidOperationException($"chown of {WorkDirectory} failed:\n{chownOutput}");
            }
        }

        var (file, args) = AsServiceUser(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var (exit, output) = await ServerProcess.RunAsync(WorkDirectory, file, args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"initdb failed ({exit}):\n{output}");
        }

        // Only loopback TCP and the private socket directory are trusted.
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    }
}
