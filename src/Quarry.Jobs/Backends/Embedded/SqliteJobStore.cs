using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Quarry.Core.Data;
using Microsoft.Extensions.Logging;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>
/// One database file's shared machinery in this process: a single writer connection driven by one loop that commits
/// whatever writes are queued as one transaction (group commit), a small pool of reader connections, and the signal
/// that wakes waiting takers. Every <see cref="SqliteJobBackend"/> on the file shares it, so writers in one process
/// never contend for the SQLite lock.
/// </summary>
internal sealed partial class SqliteJobStore
{
    private const int MaxBatch = 512;
    private const int IdleReaders = 4;
    private const int BusyTimeoutMs = 5000;

    private static readonly Dictionary<string, SqliteJobStore> OpenStores = new(StringComparer.Ordinal);
    private static readonly Lock OpenStoresLock = new();

    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly SqliteConnection _writer;
    private readonly CrossProcessWake _crossProcess;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _releaseSavepoint;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly Dictionary<string, JobTableWriter> _tables = new(StringComparer.Ordinal);
    private readonly Stack<SqliteJobReader> _readers = new();
    private readonly Lock _readersLock = new();
    private readonly ILogger _logger;
    private readonly Task _loop;
    private int _references = 1;
    private bool _closed;

    private SqliteJobStore(string path, SqliteConnection writer, CrossProcessWake crossProcess, ILogger logger)
    {
        Path = path;
        _writer = writer;
        _logger = logger;
        _begin = SqliteCommands.Prepare(writer, "BEGIN IMMEDIATE");
        _commit = SqliteCommands.Prepare(writer, "COMMIT");
        _rollback = SqliteCommands.Prepare(writer, "ROLLBACK");
        _savepoint = SqliteCommands.Prepare(writer, "SAVEPOINT operation");
        _releaseSavepoint = SqliteCommands.Prepare(writer, "RELEASE operation");
        _rollbackToSavepoint = SqliteCommands.Prepare(writer, "ROLLBACK TO operation");
        _crossProcess = crossProcess;
        crossProcess.Attach(Wake);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>Whether commits of other processes on the file pulse <see cref="Wake"/> too (through <c>&lt;db&gt;.wake</c>).</summary>
    public bool SeesOtherProcesses => _crossProcess.Watching;

    /// <summary>Completed after every commit that may have made a job runnable.</summary>
    public WakeSignal Wake { get; } = new();

    /// <summary>The open store of the file, or a newly opened one; each call must be paired with <see cref="ReleaseAsync"/>.</summary>
    public static SqliteJobStore Acquire(string path, ILogger logger)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        lock (OpenStoresLock)
        {
            if (OpenStores.TryGetValue(fullPath, out var open))
            {
                open._references++;
                return open;
            }

            var writer = OpenWriter(fullPath);
            SqliteJobStore store;
            try
            {
                store = new SqliteJobStore(fullPath, writer, new CrossProcessWake(fullPath), logger);
            }
            catch (SqliteException e)
            {
                writer.Dispose();
                throw Unavailable(fullPath, e);
            }

            OpenStores[fullPath] = store;
            LogOpened(logger, fullPath);
            return store;
        }
    }

    /// <summary>True while some client holds the file open in this process.</summary>
    public static bool IsOpen(string path)
    {
        lock (OpenStoresLock)
        {
            return OpenStores.ContainsKey(System.IO.Path.GetFullPath(path));
        }
    }

    /// <summary>Drops one client's hold; the last one closes the connections (the data stays in the file).</summary>
    public async ValueTask ReleaseAsync()
    {
        lock (OpenStoresLock)
        {
            if (--_references > 0)
            {
                return;
            }

            OpenStores.Remove(Path);
        }

        await CloseAsync();
    }

    /// <summary>Queues a write and completes with its result once its batch is committed.</summary>
    public Task<T> WriteAsync<T>(Func<T> work, bool wakesTakers, CancellationToken cancellationToken)
    {
        var operation = new WriteOperation<T>(work, wakesTakers, cancellationToken);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteJobBackend), $"The embedded job database {Path} is closed.");
        }

        return operation.Task;
    }

    /// <summary>Creates the prefix's table if missing and returns its write statements (run it through <see cref="WriteAsync"/>).</summary>
    public JobTableWriter OpenTable(JobTableSql sql)
    {
        if (!_tables.TryGetValue(sql.Table, out var table))
        {
            table = new JobTableWriter(_writer, sql);
            _tables[sql.Table] = table;
        }

        return table;
    }

    /// <summary>Runs a read on a pooled reader connection (WAL readers see the last commit and never block the writer).</summary>
    public T Read<T>(JobTableSql sql, Func<JobTableReader, T> read)
    {
        SqliteJobReader? reader;
        lock (_readersLock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _readers.TryPop(out reader);
        }

        try
        {
            reader ??= new SqliteJobReader(OpenConnection(Path, SqliteOpenMode.ReadWrite));
            return read(reader.Table(sql));
        }
        catch (SqliteException e)
        {
            reader?.Dispose();
            reader = null;
            throw Unavailable(Path, e);
        }
        finally
        {
            if (reader is not null)
            {
                Return(reader);
            }
        }
    }

    public static JobBackendUnavailableException Unavailable(string path, Exception e) =>
        new($"The embedded job database {path} is not usable: {e.Message}", e);

    /// <summary>Finishes the queued writes, then closes every connection.</summary>
    private async Task CloseAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        foreach (var table in _tables.Values)
        {
            table.Dispose();
        }

        foreach (var command in new[] { _begin, _commit, _rollback, _savepoint, _releaseSavepoint, _rollbackToSavepoint })
        {
            command.Dispose();
        }

        _writer.Dispose();
        _crossProcess.Dispose();
        lock (_readersLock)
        {
            _closed = true;
            while (_readers.TryPop(out var reader))
            {
                reader.Dispose();
            }
        }

        Wake.Pulse();
    }

    private void Return(SqliteJobReader reader)
    {
        lock (_readersLock)
        {
            if (!_closed && _readers.Count < IdleReaders)
            {
                _readers.Push(reader);
                return;
            }
        }

        reader.Dispose();
    }

    private static SqliteConnection OpenWriter(string path)
    {
        try
        {
            var directory = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var connection = OpenConnection(path, SqliteOpenMode.ReadWriteCreate);
            try
            {
                using var mode = connection.CreateCommand();
                mode.CommandText = "PRAGMA journal_mode = WAL";
                if (mode.ExecuteScalar() is not string journal || !journal.Equals("wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new JobBackendUnavailableException($"The embedded job database {path} cannot use write-ahead logging.");
                }

                // NORMAL in WAL mode: a commit is in the log before SubmitAsync returns, so a crash or restart of the
                // process loses nothing; only an OS crash or power cut can drop the last commits (FULL would fsync each).
                // Checkpoints stall the one writer for milliseconds; a larger log makes them rarer, so fewer requests meet one.
                mode.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 4000";
                mode.ExecuteNonQuery();
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new JobBackendUnavailableException($"The embedded job database {path} cannot be opened: {e.Message}", e);
        }
    }

    private static SqliteConnection OpenConnection(string path, SqliteOpenMode mode)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMs}";
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = EventIds.SqliteJobStoreOpened, Level = LogLevel.Information, Message = "Opened the embedded job database {Path} (WAL, synchronous=NORMAL)")]
    private static partial void LogOpened(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.SqliteJobStoreBatchFailed, Level = LogLevel.Error, Message = "A batch of {Count} job writes on {Path} was rolled back: {Reason}")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, string path, string reason);
}
