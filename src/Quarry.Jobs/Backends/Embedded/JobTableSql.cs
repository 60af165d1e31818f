namespace Quarry.Jobs.Backends.Embedded;

/// <summary>The SQL text of one prefix's jobs table; the table name is validated before it is spliced in.</summary>
internal sealed class JobTableSql
{
    /// <summary>Columns read into a <see cref="Model.JobRecord"/>, in the order <see cref="JobRows"/> expects.</summary>
    public const string Columns = "id, type, status, payload, result, error, worker, attempts, created_at, started_at, finished_at, seq, trace_parent, trace_state";

    /// <summary>Columns added after the first release, with their type: tables from before get them at open, empty on old rows.</summary>
    public static readonly IReadOnlyList<(string Name, string Type)> AddedColumns = [("trace_parent", "TEXT"), ("trace_state", "TEXT")];

    public JobTableSql(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 64 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException($"The job prefix '{prefix}' must be 1-64 ASCII letters, digits, '_', '-' or '.'.", nameof(prefix));
        }

        var t = $"\"{prefix}_jobs\"";
        Table = t;
        TableName = prefix + "_jobs";

        // Times are integer microseconds since the Unix epoch; tables written before that stored milliseconds.
        // seq is the rowid: submission order for taking and the keyset for listing; rows are never deleted, so it only grows.
        Schema =
        [
            $"""
            CREATE TABLE IF NOT EXISTS {t} (
                seq INTEGER PRIMARY KEY,
                id BLOB NOT NULL UNIQUE,
                type TEXT NOT NULL,
                status TEXT NOT NULL,
                payload TEXT NOT NULL,
                result TEXT,
                error TEXT,
                worker TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                available_at INTEGER NOT NULL,
                started_at INTEGER,
                finished_at INTEGER,
                lease_until INTEGER,
                trace_parent TEXT,
                trace_state TEXT)
            """,
            $"CREATE INDEX IF NOT EXISTS \"{prefix}_jobs_ready\" ON {t} (available_at, seq) WHERE status = 'submitted'",
            $"CREATE INDEX IF NOT EXISTS \"{prefix}_jobs_leased\" ON {t} (lease_until) WHERE status = 'in progress'",
            $"CREATE INDEX IF NOT EXISTS \"{prefix}_jobs_status\" ON {t} (status, seq)",
            "CREATE TABLE IF NOT EXISTS quarry_job_time_units (job_table TEXT PRIMARY KEY, unit TEXT NOT NULL)",
            $"CREATE TABLE IF NOT EXISTS \"{prefix}_workers\" (worker TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)",
        ];
        TableColumns = $"SELECT name FROM pragma_table_info('{TableName}')";
        AddColumn = $"ALTER TABLE {t} ADD COLUMN ";
        Exists = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name)";
        TimeUnit = "SELECT unit FROM quarry_job_time_units WHERE job_table = $name";
        MarkMicroseconds = "INSERT OR REPLACE INTO quarry_job_time_units (job_table, unit) VALUES ($name, 'us')";
        MillisecondsToMicroseconds = $"""
            UPDATE {t} SET created_at = created_at * 1000, available_at = available_at * 1000, started_at = started_at * 1000,
                finished_at = finished_at * 1000, lease_until = lease_until * 1000
            """;

        Insert = $"""
            INSERT INTO {t} (id, type, status, payload, created_at, available_at, trace_parent, trace_state)
            VALUES ($id, $type, 'submitted', $payload, $now, $now, $trace_parent, $trace_state)
            """;

        // Expired leases (crashed workers) first, then ready jobs in the order they became runnable. Without statistics
        // the planner prefers the status index and sorts every queued row, so the partial indexes are named.
        Take = $"""
            UPDATE {t} SET status = 'in progress', worker = $worker, attempts = attempts + 1, started_at = $now, lease_until = $until
            WHERE seq IN (
                SELECT seq FROM (SELECT seq FROM {t} INDEXED BY "{prefix}_jobs_leased" WHERE status = 'in progress' AND lease_until < $now ORDER BY lease_until LIMIT $max)
                UNION ALL
                SELECT seq FROM (SELECT seq FROM {t} INDEXED BY "{prefix}_jobs_ready" WHERE status = 'submitted' AND available_at <= $now ORDER BY available_at, seq LIMIT $max)
                LIMIT $max)
            RETURNING seq, id, type, payload, attempts, created_at, trace_parent, trace_state
            """;

        // When the next job becomes takeable without any write announcing it: a lease running out or a retry coming due.
        NextDue = $"""
            SELECT min(due) FROM (
                SELECT min(lease_until) AS due FROM {t} INDEXED BY "{prefix}_jobs_leased" WHERE status = 'in progress'
                UNION ALL
                SELECT min(available_at) FROM {t} INDEXED BY "{prefix}_jobs_ready" WHERE status = 'submitted')
            """;

        const string current = "WHERE id = $id AND status = 'in progress' AND attempts = $attempt";
        Renew = $"UPDATE {t} SET lease_until = $until {current}";
        Complete = $"UPDATE {t} SET status = 'complete', result = $result, finished_at = $now, lease_until = NULL {current}";
        Retry = $"UPDATE {t} SET status = 'submitted', error = $error, available_at = $at, lease_until = NULL {current}";
        Fail = $"UPDATE {t} SET status = 'failed', error = $error, finished_at = $now, lease_until = NULL {current}";
        Release = $"UPDATE {t} SET status = 'submitted', available_at = $now, lease_until = NULL {current}";
        Cancel = $"UPDATE {t} SET status = 'cancelled', finished_at = $now WHERE id = $id AND status = 'submitted' RETURNING {Columns}";
        Get = $"SELECT {Columns} FROM {t} WHERE id = $id";
        ListAll = $"SELECT {Columns} FROM {t} WHERE seq < $before ORDER BY seq DESC LIMIT $limit";
        ListByStatus = $"SELECT {Columns} FROM {t} WHERE status = $status AND seq < $before ORDER BY seq DESC LIMIT $limit";
        Check = $"SELECT EXISTS (SELECT 1 FROM {t})";
        Count = $"SELECT status, count(*) FROM {t} INDEXED BY \"{prefix}_jobs_status\" GROUP BY status";

        var workers = $"\"{prefix}_workers\"";
        RecordWorker = $"INSERT INTO {workers} (worker, seen_at) VALUES ($worker, $now) ON CONFLICT (worker) DO UPDATE SET seen_at = excluded.seen_at";
        ForgetWorkers = $"DELETE FROM {workers} WHERE seen_at < $before";
        ListWorkers = $"SELECT worker, seen_at FROM {workers} WHERE seen_at >= $since ORDER BY seen_at DESC LIMIT 1000";
    }

    /// <summary>The names of the table's columns (one row each).</summary>
    public string TableColumns { get; }

    /// <summary>The start of an <c>ALTER TABLE ... ADD COLUMN</c>; the column and its type follow.</summary>
    public string AddColumn { get; }

    public string RecordWorker { get; }

    public string ForgetWorkers { get; }

    public string ListWorkers { get; }

    /// <summary>The table's name unquoted, as sqlite_master holds it.</summary>
    public string TableName { get; }

    public string Exists { get; }

    public string TimeUnit { get; }

    public string MarkMicroseconds { get; }

    public string MillisecondsToMicroseconds { get; }

    public string Count { get; }

    public string Table { get; }

    public IReadOnlyList<string> Schema { get; }

    public string Insert { get; }

    public string Take { get; }

    /// <summary>The earliest lease end or retry time (microseconds), NULL when nothing is leased or queued.</summary>
    public string NextDue { get; }

    public string Renew { get; }

    public string Complete { get; }

    public string Retry { get; }

    public string Fail { get; }

    public string Release { get; }

    public string Cancel { get; }

    public string Get { get; }

    public string ListAll { get; }

    public string ListByStatus { get; }

    public string Check { get; }
}
