using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Tests.Contract;

namespace Quarry.Jobs.Tests.RabbitMq;

public sealed class RabbitMqJobBackendContractTests(RabbitMqServer broker, PostgresServer database)
    : JobBackendContract, IClassFixture<RabbitMqServer>, IClassFixture<PostgresServer>
{
    protected override Task<IJobBackend> CreateClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options));

    protected override Task<IJobBackend> CreateUnreachableClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new RabbitMqJobBackend("amqp://guest:guest@127.0.0.1:1/", "Host=127.0.0.1;Port=1;Username=postgres", options));
}
