using Microsoft.Data.Sqlite;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>Conversions between job rows and records, and prepared-command helpers shared by readers and the writer.</summary>
internal static class JobRows
{
    /// <summary>Index of <c>seq</c> in <see cref="JobTableSql.Columns"/>.</summary>
    public const int SeqColumn = 11;

    public static JobRecord Read(SqliteDataReader row) => JobRecordColumns.Read(row, static (r, i) => FromMicroseconds(r.GetInt64(i)), traceColumn: 12);

    /// <summary>A time as stored: whole microseconds since the Unix epoch.</summary>
    public static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static long ToMicroseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicroseconds(long microseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);

    public static JobRecord? ReadSingle(SqliteCommand command)
    {
        using var row = command.ExecuteReader();
        return row.Read() ? Read(row) : null;
    }
}
