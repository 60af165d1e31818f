using System.Net;
using System.Net.Sockets;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Redis;
using Quarry.Jobs.Tests.Contract;

namespace Quarry.Jobs.Tests.Redis;

public sealed class RedisJobBackendContractTests(RedisServer server) : JobBackendContract, IClassFixture<RedisServer>
{
    protected override Task<IJobBackend> CreateClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new RedisJobBackend(server.ConnectionString, options));

    protected override Task<IJobBackend> CreateUnreachableClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new RedisJobBackend(UnreachableConnectionString(), options));

    /// <summary>A loopback port nothing listens on, with short timeouts.</summary>
    internal static string UnreachableConnectionString()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port},connectTimeout=500,asyncTimeout=1000,syncTimeout=1000";
    }
}
