using System.Data.Common;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends;

/// <summary>
/// A job row as the SQL backends select it: id, type, status, payload, result, error, worker, attempts, created,
/// started, finished, in that order, then the trace context (parent, state) at a column each engine names; each engine
/// also says how it stores a time.
/// </summary>
internal static class JobRecordColumns
{
    public static JobRecord Read(DbDataReader row, Func<DbDataReader, int, DateTimeOffset> time, int traceColumn) => new()
    {
        Id = row.GetGuid(0),
        Type = row.GetString(1),
        Status = row.GetString(2),
        Payload = row.GetString(3),
        Result = row.IsDBNull(4) ? null : row.GetString(4),
        Error = row.IsDBNull(5) ? null : row.GetString(5),
        Worker = row.IsDBNull(6) ? null : row.GetString(6),
        Attempts = row.GetInt32(7),
        CreatedAt = time(row, 8),
        StartedAt = row.IsDBNull(9) ? null : time(row, 9),
        FinishedAt = row.IsDBNull(10) ? null : time(row, 10),
        TraceParent = row.IsDBNull(traceColumn) ? null : row.GetString(traceColumn),
        TraceState = row.IsDBNull(traceColumn + 1) ? null : row.GetString(traceColumn + 1),
    };
}
