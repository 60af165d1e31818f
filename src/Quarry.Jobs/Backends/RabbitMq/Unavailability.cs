using System.Net.Sockets;
using Npgsql;
using RabbitMQ.Client.Exceptions;

namespace Quarry.Jobs.Backends.RabbitMq;

/// <summary>Tells engine outages (answer 503, retry later) from bugs.</summary>
internal static class Unavailability
{
    public static bool IsBrokerFailure(Exception e) =>
        e is OperationInterruptedException or BrokerUnreachableException or PublishException or ProtocolException
            or ChannelAllocationException or IOException or SocketException or TimeoutException or ObjectDisposedException;

    /// <summary>Connection-level PostgreSQL failures; a constraint or syntax error is not one.</summary>
    public static bool IsDatabaseFailure(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || p.SqlState == PostgresErrorCodes.TooManyConnections,
        NpgsqlException or SocketException or TimeoutException or IOException => true,
        _ => false,
    };

    public static JobBackendUnavailableException Broker(Exception e) =>
        new($"RabbitMQ is unavailable: {e.Message}", e);

    public static JobBackendUnavailableException Database(Exception e) =>
        new($"PostgreSQL is unavailable: {e.Message}", e);

    /// <summary>Runs a PostgreSQL operation, turning an outage into <see cref="JobBackendUnavailableException"/>.</summary>
    public static async Task<T> DatabaseAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw Database(e);
        }
    }

    public static async Task DatabaseAsync(Func<Task> operation) => await DatabaseAsync(async () =>
    {
        await operation();
        return true;
    });

    /// <summary>Runs a RabbitMQ operation, turning an outage into <see cref="JobBackendUnavailableException"/>.</summary>
    public static async Task BrokerAsync(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (IsBrokerFailure(e))
        {
            throw Broker(e);
        }
    }
}
