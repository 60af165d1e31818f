using Microsoft.Data.Sqlite;

namespace Quarry.Core.Data;

/// <summary>Prepared SQLite commands: created once with named parameters, then bound by position for each use.</summary>
public static class SqliteCommands
{
    /// <summary>A prepared command for <paramref name="sql"/> with the named <paramref name="parameters"/>, in order.</summary>
    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params ReadOnlySpan<string> parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    /// <summary>Sets parameter <paramref name="index"/> (null as SQL NULL).</summary>
    public static void Bind(this SqliteCommand command, int index, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Parameters[index].Value = value ?? DBNull.Value;
    }

    /// <summary>Sets every parameter, in order (null as SQL NULL).</summary>
    public static void BindAll(this SqliteCommand command, params ReadOnlySpan<object?> values)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
