using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>The job records in one PostgreSQL table; every change is one conditional statement.</summary>
internal sealed class JobTable(NpgsqlDataSource dataSource, string table)
{
    private const string Columns = "id, type, status, payload, result, error, worker, attempts, created_at, started_at, finished_at, trace_parent, trace_state";

    /// <summary>
    /// The status of job <c>j</c> as an expression no index matches, for statements that address jobs by id. A queue's
    /// mix of statuses changes faster than ANALYZE runs: with statistics from before a burst of submissions PostgreSQL
    /// would otherwise read every job of a status through the (status, seq) index instead of looking the ids up, so that
    /// each take cost time in proportion to the length of the queue.
    /// </summary>
    private const string StatusOfJ = "(j.status || '')";

    /// <summary>A job as the take statement returns it, with the message id it was taken through.</summary>
    public readonly record struct Taken(string Type, string Payload, int Attempts, DateTimeOffset CreatedAt, string? TraceParent, string? TraceState, string? Holder);

    /// <summary>One outcome row for <see cref="ReportAsync"/>.</summary>
    public readonly record struct Change(Guid Id, int Attempt, string Status, string? Result, string? Error);

    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Serializes concurrent first starts: CREATE ... IF NOT EXISTS can still race on the catalog.
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock(hashtext('{table}'))", cancellationToken);
        await ExecuteAsync(connection,
            $"""
            CREATE TABLE IF NOT EXISTS "{table}" (
                seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                id uuid PRIMARY KEY,
                type text NOT NULL,
                status text NOT NULL,
                payload text NOT NULL,
                result text,
                error text,
                worker text,
                attempts integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                started_at timestamptz,
                finished_at timestamptz);
            CREATE INDEX IF NOT EXISTS "{table}_status_seq" ON "{table}" (status, seq);
            DO $$ BEGIN
                -- Tables from before trace context was kept get the columns once; checked first, so a start takes no table lock.
                IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                               WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = 'trace_state') THEN
                    ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS trace_parent text, ADD COLUMN IF NOT EXISTS trace_state text;
                END IF;
                IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                               WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = 'holder') THEN
                    ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS holder text;
                END IF;
            END $$;
            CREATE TABLE IF NOT EXISTS "{table}_workers" (worker text PRIMARY KEY, seen_at timestamptz NOT NULL);
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT 1", cancellationToken);
    }

    /// <summary>A job to insert with the time it was accepted.</summary>
    public readonly record struct Stamped(NewJob Job, DateTimeOffset CreatedAt);

    /// <summary>Inserts all jobs in one statement, in the given order; a repeated id inserts none.</summary>
    public async Task InsertAsync(IReadOnlyList<Stamped> stamped, CancellationToken cancellationToken)
    {
        var jobs = stamped.Select(s => s.Job).ToArray();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO "{table}" (id, type, payload, status, attempts, created_at, trace_parent, trace_state)
            SELECT n.id, n.type, n.payload, '{JobStatus.Submitted}', 0, n.created, n.trace_parent, n.trace_state
            FROM unnest(@ids, @types, @payloads, @created, @trace_parents, @trace_states)
                WITH ORDINALITY AS n(id, type, payload, created, trace_parent, trace_state, ord)
            ORDER BY n.ord
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", jobs.Select(j => j.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", jobs.Select(j => j.Type).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("payloads", jobs.Select(j => j.Payload).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("created", stamped.Select(s => s.CreatedAt).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("trace_parents", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.TraceParent).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("trace_states", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.TraceState).ToArray() });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            var existing = await FirstExistingAsync(connection, jobs, cancellationToken);
            throw new DuplicateJobException(existing ?? jobs[0].Id);
        }
    }

    /// <summary>Removes records that were never queued (their publish failed), unless a worker already started one.</summary>
    public async Task DeleteUnstartedAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""DELETE FROM "{table}" AS j WHERE j.id = ANY(@ids) AND {StatusOfJ} = '{JobStatus.Submitted}' AND j.attempts = 0""", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<JobRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""SELECT {Columns} FROM "{table}" WHERE id = @id""", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 500);
        long? before = null;
        if (query.Cursor is not null)
        {
            before = long.TryParse(query.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
                ? seq
                : throw new ArgumentException("The cursor is not one this backend issued.", nameof(query));
        }

        var filters = new List<string>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        if (query.Status is not null)
        {
            filters.Add("status = @status");
            command.Parameters.Add(new NpgsqlParameter<string>("status", query.Status));
        }

        if (before is not null)
        {
            filters.Add("seq < @before");
            command.Parameters.Add(new NpgsqlParameter<long>("before", before.Value));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        command.CommandText = $"""SELECT {Columns}, seq FROM "{table}" {where} ORDER BY seq DESC LIMIT @limit""";
        command.Parameters.Add(new NpgsqlParameter<int>("limit", query.Limit + 1));
        var jobs = new List<JobRecord>(query.Limit);
        long last = 0;
        var more = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (jobs.Count == query.Limit)
            {
                more = true;
                break;
            }

            jobs.Add(Read(reader));
            last = reader.GetInt64(13);
        }

        return new JobPage(jobs, more ? last.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>Records per status, read from the (status, seq) index.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""SELECT status, count(*) FROM "{table}" GROUP BY status""", connection);
        var counts = JobStatus.All.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>Cancels a submitted job and returns the record as it is afterwards, in one statement.</summary>
    public async Task<JobRecord?> CancelAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            WITH changed AS (
                UPDATE "{table}" AS j SET status = '{JobStatus.Cancelled}', finished_at = @now
                WHERE j.id = @id AND {StatusOfJ} = '{JobStatus.Submitted}'
                RETURNING {Columns})
            SELECT {Columns} FROM changed
            UNION ALL
            SELECT {Columns} FROM "{table}" WHERE id = @id AND NOT EXISTS (SELECT 1 FROM changed)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Starts an attempt of each job that is still runnable; cancelled, finished and unknown ids are left out. A job in
    /// progress is taken again only through the message it was taken from (<paramref name="holders"/>, message ids):
    /// that message comes back only when the connection holding it closed, while a copy of the job in another message
    /// (handed back, or queued again) must not start it a second time. Jobs taken through a message without an id (from
    /// an older version) may be taken again through any message.
    /// </summary>
    public async Task<Dictionary<Guid, Taken>> TakeAsync(Guid[] ids, string?[] holders, string worker, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE "{table}" AS j SET status = '{JobStatus.InProgress}', worker = @worker, attempts = j.attempts + 1, started_at = @now, holder = c.holder
            FROM unnest(@ids, @holders) AS c(id, holder)
            WHERE j.id = c.id AND ({StatusOfJ} = '{JobStatus.Submitted}'
                OR ({StatusOfJ} = '{JobStatus.InProgress}' AND (j.holder IS NULL OR c.holder IS NULL OR j.holder = c.holder)))
            RETURNING j.id, j.type, j.payload, j.attempts, j.created_at, j.trace_parent, j.trace_state, c.holder
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids));
        command.Parameters.Add(new NpgsqlParameter("holders", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = holders });
        command.Parameters.Add(new NpgsqlParameter<string>("worker", worker));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        var taken = new Dictionary<Guid, Taken>(ids.Length);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            taken[reader.GetGuid(0)] = new Taken(reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7));
        }

        return taken;
    }

    /// <summary>Applies outcomes of current attempts only, in one statement; returns the ids that changed.</summary>
    public async Task<HashSet<Guid>> ReportAsync(IReadOnlyList<Change> changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE "{table}" AS j SET
                status = o.status,
                result = CASE WHEN o.status = '{JobStatus.Complete}' THEN o.result ELSE j.result END,
                error = COALESCE(o.error, j.error),
                finished_at = CASE WHEN o.status IN ('{JobStatus.Complete}', '{JobStatus.Failed}') THEN @now END
            FROM unnest(@ids, @attempts, @statuses, @results, @errors) AS o(id, attempt, status, result, error)
            WHERE j.id = o.id AND {StatusOfJ} = '{JobStatus.InProgress}' AND j.attempts = o.attempt
            RETURNING j.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", changes.Select(c => c.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("attempts", changes.Select(c => c.Attempt).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("statuses", changes.Select(c => c.Status).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("results", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changes.Select(c => c.Result).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changes.Select(c => c.Error).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        var applied = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(reader.GetGuid(0));
        }

        return applied;
    }

    /// <summary>Records a worker's heartbeat and forgets workers silent for a day.</summary>
    public async Task RecordWorkerAsync(string worker, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO "{table}_workers" (worker, seen_at) VALUES (@worker, @now) ON CONFLICT (worker) DO UPDATE SET seen_at = excluded.seen_at;
            DELETE FROM "{table}_workers" WHERE seen_at < @forget;
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("worker", worker));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("forget", now.AddDays(-1)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Workers heard from since <paramref name="since"/>, most recent first.</summary>
    public async Task<IReadOnlyList<WorkerSeen>> ListWorkersAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""SELECT worker, seen_at FROM "{table}_workers" WHERE seen_at >= @since ORDER BY seen_at DESC LIMIT 1000""", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since));
        var workers = new List<WorkerSeen>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            workers.Add(new WorkerSeen(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return workers;
    }

    private async Task<Guid?> FirstExistingAsync(NpgsqlConnection connection, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        var repeated = jobs.GroupBy(j => j.Id).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            return repeated.Key;
        }

        await using var command = new NpgsqlCommand($"""SELECT id FROM "{table}" WHERE id = ANY(@ids) LIMIT 1""", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", jobs.Select(j => j.Id).ToArray()));
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static JobRecord Read(NpgsqlDataReader reader) => JobRecordColumns.Read(reader, static (r, i) => r.GetFieldValue<DateTimeOffset>(i), traceColumn: 11);
}
