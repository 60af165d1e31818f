using System.Net;
using System.Net.Sockets;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Redis;
using Quarry.Jobs.Tests.Contract;

namespace Quarry.Jobs.Tests.Redis;

public sealed class RedisJobBackendContractTests(RedisServer server) : JobBackendContract, IClassFixture<RedisServer>
{
    // Longer than the 1.5 s takes that expect a running job to stay leased; Redis reclaims it as soon as the lease ends.

    protected override Task<IJobBackend> CreateClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new RedisJobBackend(server.Options(), options));

    protected override Task<IJobBackend> CreateUnreachableClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new RedisJobBackend(UnreachableOptions(), options));

    /// <summary>Options for a loopback port nothing listens on, with short timeouts.</summary>
    internal static Quarry.Redis.RedisOptions UnreachableOptions()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Quarry.Redis.RedisOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            CommandTimeout = TimeSpan.FromSeconds(1),
        };
    }
}
