using Microsoft.Data.Sqlite;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>A pooled read connection with each prefix's prepared read statements; used by one caller at a time.</summary>
internal sealed class SqliteJobReader(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, JobTableReader> _tables = new(StringComparer.Ordinal);

    public JobTableReader Table(JobTableSql sql)
    {
        if (!_tables.TryGetValue(sql.Table, out var table))
        {
            table = new JobTableReader(connection, sql);
            _tables[sql.Table] = table;
        }

        return table;
    }

    public void Dispose()
    {
        foreach (var table in _tables.Values)
        {
            table.Dispose();
        }

        connection.Dispose();
    }
}
