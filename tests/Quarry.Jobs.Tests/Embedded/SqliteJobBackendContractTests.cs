using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Embedded;
using Quarry.Jobs.Tests.Contract;
using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.Embedded;

/// <summary>The backend contract on one temporary database file per test, each client a separate instance.</summary>
public sealed class SqliteJobBackendContractTests : JobBackendContract
{
    private readonly TempDirectory _database = new();

    // Longer than the contract's 1.5 s "nothing else to take" waits, which a 1 s lease would outlive (the job expires and is retaken).

    protected override Task<IJobBackend> CreateClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new SqliteJobBackend(_database.File("jobs.db"), options));

    protected override Task<IJobBackend> CreateUnreachableClientAsync(JobBackendOptions options) =>
        Task.FromResult<IJobBackend>(new SqliteJobBackend(_database.UnderRegularFile(), options));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
