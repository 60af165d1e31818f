using Microsoft.Data.Sqlite;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>Conversions between job rows and records, and prepared-command helpers shared by readers and the writer.</summary>
internal static class JobRows
{
    /// <summary>Index of <c>seq</c> in <see cref="JobTableSql.Columns"/>.</summary>
    public const int SeqColumn = 11;

    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params ReadOnlySpan<string> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    public static void Bind(this SqliteCommand command, int index, object? value) =>
        command.Parameters[index].Value = value ?? DBNull.Value;

    public static JobRecord Read(SqliteDataReader row) => new()
    {
        Id = row.GetGuid(0),
        Type = row.GetString(1),
        Status = row.GetString(2),
        Payload = row.GetString(3),
        Result = row.IsDBNull(4) ? null : row.GetString(4),
        Error = row.IsDBNull(5) ? null : row.GetString(5),
        Worker = row.IsDBNull(6) ? null : row.GetString(6),
        Attempts = row.GetInt32(7),
        CreatedAt = FromMicroseconds(row.GetInt64(8)),
        StartedAt = row.IsDBNull(9) ? null : FromMicroseconds(row.GetInt64(9)),
        FinishedAt = row.IsDBNull(10) ? null : FromMicroseconds(row.GetInt64(10)),
        TraceParent = row.IsDBNull(12) ? null : row.GetString(12),
        TraceState = row.IsDBNull(13) ? null : row.GetString(13),
    };

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
