using System.Buffers.Binary;
using System.Buffers.Text;
using Microsoft.Data.Sqlite;
using Quarry.Core.Data;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>One prefix's prepared read statements on one pooled reader connection.</summary>
internal sealed class JobTableReader : IDisposable
{
    private const int MaxPage = 500;

    private readonly SqliteCommand _get;
    private readonly SqliteCommand _listAll;
    private readonly SqliteCommand _listByStatus;
    private readonly SqliteCommand _check;
    private readonly SqliteCommand _count;
    private readonly SqliteCommand _workers;

    public JobTableReader(SqliteConnection connection, JobTableSql sql)
    {
        _get = SqliteCommands.Prepare(connection, sql.Get, "$id");
        _listAll = SqliteCommands.Prepare(connection, sql.ListAll, "$before", "$limit");
        _listByStatus = SqliteCommands.Prepare(connection, sql.ListByStatus, "$before", "$limit", "$status");
        _check = SqliteCommands.Prepare(connection, sql.Check);
        _count = SqliteCommands.Prepare(connection, sql.Count);
        _workers = SqliteCommands.Prepare(connection, sql.ListWorkers, "$since");
    }

    public JobRecord? Get(Guid id)
    {
        _get.Bind(0, id);
        return JobRows.ReadSingle(_get);
    }

    public JobPage List(JobQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, MaxPage);
        var command = query.Status is null ? _listAll : _listByStatus;
        command.Bind(0, query.Cursor is null ? long.MaxValue : DecodeCursor(query.Cursor));
        command.Bind(1, limit + 1);
        if (query.Status is not null)
        {
            command.Bind(2, query.Status);
        }

        var jobs = new List<JobRecord>(Math.Min(limit, 64));
        long lastSeq = 0;
        var more = false;
        using (var row = command.ExecuteReader())
        {
            while (row.Read())
            {
                if (jobs.Count == limit)
                {
                    more = true;
                    break;
                }

                jobs.Add(JobRows.Read(row));
                lastSeq = row.GetInt64(JobRows.SeqColumn);
            }
        }

        return new JobPage(jobs, more ? EncodeCursor(lastSeq) : null);
    }

    public void Check() => _check.ExecuteScalar();

    public IReadOnlyDictionary<string, long> Count()
    {
        var counts = JobStatus.All.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        using var row = _count.ExecuteReader();
        while (row.Read())
        {
            counts[row.GetString(0)] = row.GetInt64(1);
        }

        return counts;
    }

    public IReadOnlyList<WorkerSeen> Workers(DateTimeOffset since)
    {
        _workers.Bind(0, JobRows.ToMicroseconds(since));
        var workers = new List<WorkerSeen>();
        using var row = _workers.ExecuteReader();
        while (row.Read())
        {
            workers.Add(new WorkerSeen(row.GetString(0), JobRows.FromMicroseconds(row.GetInt64(1))));
        }

        return workers;
    }

    public void Dispose()
    {
        _workers.Dispose();
        _get.Dispose();
        _listAll.Dispose();
        _listByStatus.Dispose();
        _check.Dispose();
        _count.Dispose();
    }

    private static string EncodeCursor(long seq)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, seq);
        return Base64Url.EncodeToString(bytes);
    }

    private static long DecodeCursor(string cursor)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        var seq = cursor.Length == 11 && Base64Url.IsValid(cursor) && Base64Url.TryDecodeFromChars(cursor, bytes, out var written) && written == sizeof(long)
            ? BinaryPrimitives.ReadInt64BigEndian(bytes)
            : 0;
        return seq > 0 ? seq : throw new ArgumentException("The listing cursor is not one this backend issued.", nameof(cursor));
    }
}
