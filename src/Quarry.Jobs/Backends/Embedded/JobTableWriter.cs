using System.Globalization;
using Microsoft.Data.Sqlite;
using Quarry.Core.Data;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>One prefix's prepared write statements on the store's writer connection; used only by the writer loop.</summary>
internal sealed class JobTableWriter : IDisposable
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _take;
    private readonly SqliteCommand _nextDue;
    private readonly SqliteCommand _renew;
    private readonly SqliteCommand _complete;
    private readonly SqliteCommand _retry;
    private readonly SqliteCommand _fail;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _cancel;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _recordWorker;
    private readonly SqliteCommand _forgetWorkers;

    public JobTableWriter(SqliteConnection connection, JobTableSql sql)
    {
        var existed = Scalar(connection, sql.Exists, sql.TableName) is long and not 0;
        foreach (var statement in sql.Schema)
        {
            using var ddl = connection.CreateCommand();
            ddl.CommandText = statement;
            ddl.ExecuteNonQuery();
        }

        AddMissingColumns(connection, sql);
        if (Scalar(connection, sql.TimeUnit, sql.TableName) is not "us")
        {
            // A table from before microsecond times holds milliseconds; convert once, inside the opening transaction.
            if (existed)
            {
                using var convert = connection.CreateCommand();
                convert.CommandText = sql.MillisecondsToMicroseconds;
                convert.ExecuteNonQuery();
            }

            Scalar(connection, sql.MarkMicroseconds, sql.TableName);
        }

        _insert = SqliteCommands.Prepare(connection, sql.Insert, "$id", "$type", "$payload", "$now", "$trace_parent", "$trace_state");
        _take = SqliteCommands.Prepare(connection, sql.Take, "$worker", "$now", "$until", "$max");
        _nextDue = SqliteCommands.Prepare(connection, sql.NextDue);
        _renew = SqliteCommands.Prepare(connection, sql.Renew, "$id", "$attempt", "$until");
        _complete = SqliteCommands.Prepare(connection, sql.Complete, "$id", "$attempt", "$result", "$now");
        _retry = SqliteCommands.Prepare(connection, sql.Retry, "$id", "$attempt", "$error", "$at");
        _fail = SqliteCommands.Prepare(connection, sql.Fail, "$id", "$attempt", "$error", "$now");
        _release = SqliteCommands.Prepare(connection, sql.Release, "$id", "$attempt", "$now");
        _cancel = SqliteCommands.Prepare(connection, sql.Cancel, "$id", "$now");
        _get = SqliteCommands.Prepare(connection, sql.Get, "$id");
        _recordWorker = SqliteCommands.Prepare(connection, sql.RecordWorker, "$worker", "$now");
        _forgetWorkers = SqliteCommands.Prepare(connection, sql.ForgetWorkers, "$before");
    }

    /// <summary>How long a silent worker's heartbeat row is kept.</summary>
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    public IReadOnlyList<JobRecord> Insert(IReadOnlyList<NewJob> jobs, DateTimeOffset now)
    {
        var records = new JobRecord[jobs.Count];
        var nowUs = JobRows.ToMicroseconds(now);
        var created = JobRows.FromMicroseconds(nowUs);
        _insert.Bind(3, nowUs);
        for (var i = 0; i < records.Length; i++)
        {
            var job = jobs[i];
            _insert.Bind(0, job.Id);
            _insert.Bind(1, job.Type);
            _insert.Bind(2, job.Payload);
            _insert.Bind(4, job.TraceParent);
            _insert.Bind(5, job.TraceState);
            try
            {
                _insert.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey)
            {
                throw new DuplicateJobException(job.Id);
            }

            records[i] = new JobRecord
            {
                Id = job.Id,
                Type = job.Type,
                Status = JobStatus.Submitted,
                Payload = job.Payload,
                CreatedAt = created,
                TraceParent = job.TraceParent,
                TraceState = job.TraceState,
            };
        }

        return records;
    }

    public IReadOnlyList<JobLease> Take(string worker, int max, DateTimeOffset now, TimeSpan lease)
    {
        var nowUs = JobRows.ToMicroseconds(now);
        _take.Bind(0, worker);
        _take.Bind(1, nowUs);
        _take.Bind(2, nowUs + JobRows.ToMicroseconds(lease));
        _take.Bind(3, max);
        List<(long Seq, JobLease Lease)>? taken = null;
        using (var row = _take.ExecuteReader())
        {
            while (row.Read())
            {
                var attempt = row.GetInt32(4);
                var claim = new JobLease(row.GetGuid(1), row.GetString(2), row.GetString(3), attempt, attempt.ToString(CultureInfo.InvariantCulture))
                {
                    SubmittedAt = JobRows.FromMicroseconds(row.GetInt64(5)),
                    TraceParent = row.IsDBNull(6) ? null : row.GetString(6),
                    TraceState = row.IsDBNull(7) ? null : row.GetString(7),
                };
                (taken ??= []).Add((row.GetInt64(0), claim));
            }
        }

        if (taken is null)
        {
            return [];
        }

        // RETURNING gives no order guarantee; leases go out in submission order.
        taken.Sort(static (a, b) => a.Seq.CompareTo(b.Seq));
        var leases = new JobLease[taken.Count];
        for (var i = 0; i < leases.Length; i++)
        {
            leases[i] = taken[i].Lease;
        }

        return leases;
    }

    /// <summary>When a lease runs out or a retry comes due next, if any job is leased or queued.</summary>
    public DateTimeOffset? NextDue() => _nextDue.ExecuteScalar() is long due ? JobRows.FromMicroseconds(due) : null;

    public bool Renew(IReadOnlyList<JobLease> leases, DateTimeOffset now, TimeSpan lease)
    {
        _renew.Bind(2, JobRows.ToMicroseconds(now) + JobRows.ToMicroseconds(lease));
        foreach (var held in leases)
        {
            _renew.Bind(0, held.Id);
            _renew.Bind(1, held.Attempt);
            _renew.ExecuteNonQuery();
        }

        return true;
    }

    public bool Report(IReadOnlyList<JobOutcome> outcomes, DateTimeOffset now)
    {
        var nowUs = JobRows.ToMicroseconds(now);
        foreach (var outcome in outcomes)
        {
            var command = outcome.Kind switch
            {
                OutcomeKind.Complete => _complete,
                OutcomeKind.Retry => _retry,
                OutcomeKind.Fail => _fail,
                OutcomeKind.Release => _release,
                _ => throw new ArgumentOutOfRangeException(nameof(outcomes), outcome.Kind, "Unknown outcome kind."),
            };
            command.Bind(0, outcome.Lease.Id);
            command.Bind(1, outcome.Lease.Attempt);
            switch (outcome.Kind)
            {
                case OutcomeKind.Complete:
                    command.Bind(2, outcome.Result);
                    command.Bind(3, nowUs);
                    break;
                case OutcomeKind.Retry:
                    command.Bind(2, outcome.Error);
                    command.Bind(3, outcome.NotBefore is { } at ? JobRows.ToMicroseconds(at) : nowUs);
                    break;
                case OutcomeKind.Fail:
                    command.Bind(2, outcome.Error);
                    command.Bind(3, nowUs);
                    break;
                default:
                    command.Bind(2, nowUs);
                    break;
            }

            command.ExecuteNonQuery();
        }

        return true;
    }

    public bool RecordWorker(string worker, DateTimeOffset now)
    {
        _recordWorker.Bind(0, worker);
        _recordWorker.Bind(1, JobRows.ToMicroseconds(now));
        _recordWorker.ExecuteNonQuery();
        _forgetWorkers.Bind(0, JobRows.ToMicroseconds(now - ForgetAfter));
        _forgetWorkers.ExecuteNonQuery();
        return true;
    }

    public JobRecord? Cancel(Guid id, DateTimeOffset now)
    {
        _cancel.Bind(0, id);
        _cancel.Bind(1, JobRows.ToMicroseconds(now));
        if (JobRows.ReadSingle(_cancel) is { } cancelled)
        {
            return cancelled;
        }

        _get.Bind(0, id);
        return JobRows.ReadSingle(_get);
    }

    public void Dispose()
    {
        foreach (var command in new[] { _insert, _take, _nextDue, _renew, _complete, _retry, _fail, _release, _cancel, _get, _recordWorker, _forgetWorkers })
        {
            command.Dispose();
        }
    }

    /// <summary>Gives a table written by an older release the columns added since; its rows keep them empty.</summary>
    private static void AddMissingColumns(SqliteConnection connection, JobTableSql sql)
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var list = connection.CreateCommand())
        {
            list.CommandText = sql.TableColumns;
            using var row = list.ExecuteReader();
            while (row.Read())
            {
                present.Add(row.GetString(0));
            }
        }

        foreach (var (name, type) in JobTableSql.AddedColumns)
        {
            if (!present.Contains(name))
            {
                using var add = connection.CreateCommand();
                add.CommandText = sql.AddColumn + name + " " + type;
                add.ExecuteNonQuery();
            }
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar();
    }
}
