using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Model;
using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.RabbitMq;

/// <summary>Engine outages: this class owns its servers, so stopping them disturbs no other test.</summary>
public sealed class RabbitMqJobBackendRestartTests(RabbitMqServer broker, PostgresServer database)
    : IClassFixture<RabbitMqServer>, IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stopped_broker_is_reported_and_the_client_recovers_with_the_queued_job()
    {
        var options = new JobBackendOptions { Prefix = "r" + Guid.NewGuid().ToString("N")[..10] };
        await using var backend = new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options);
        await backend.InitializeAsync(Ct);
        var queued = (await backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct)).Single();

        await broker.StopAsync();
        try
        {
            Assert.Contains("RabbitMQ", await backend.CheckAsync(Ct));
            var refused = new NewJob(Guid.NewGuid(), "noop", "{}");
            await Assert.ThrowsAsync<JobBackendUnavailableException>(() => backend.SubmitAsync([refused], Ct));
            await Assert.ThrowsAsync<JobBackendUnavailableException>(() => backend.TakeAsync("w", 1, TimeSpan.FromMilliseconds(100), Ct));
            // A refused submission leaves no record behind.
            Assert.Null(await backend.GetAsync(refused.Id, Ct));
        }
        finally
        {
            await broker.StartAsync();
        }

        Assert.Null(await backend.CheckAsync(Ct));
        var lease = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(queued.Id, lease.Id);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{}")], Ct);
        var after = (await backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct)).Single();
        Assert.Equal(after.Id, Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct)).Id);
        Assert.Equal(JobStatus.Complete, (await backend.GetAsync(queued.Id, Ct))!.Status);
    }

    [Fact]
    public async Task A_lease_held_across_a_broker_restart_is_taken_again_and_its_late_report_ignored()
    {
        var options = new JobBackendOptions { Prefix = "r" + Guid.NewGuid().ToString("N")[..10] };
        await using var backend = new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options);
        await backend.InitializeAsync(Ct);
        var job = (await backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct)).Single();
        var lost = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct));

        await broker.StopAsync();
        await broker.StartAsync();

        var again = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct));
        Assert.Equal((job.Id, 2), (again.Id, again.Attempt));
        await backend.ReportAsync([new JobOutcome(lost, OutcomeKind.Complete, Result: "{\"stale\":true}")], Ct);
        Assert.Equal(JobStatus.InProgress, (await backend.GetAsync(job.Id, Ct))!.Status);
        await backend.ReportAsync([new JobOutcome(again, OutcomeKind.Complete, Result: "{}")], Ct);
        Assert.Equal(JobStatus.Complete, (await backend.GetAsync(job.Id, Ct))!.Status);
    }

    [Fact]
    public async Task A_stopped_database_is_reported_and_the_client_recovers()
    {
        var options = new JobBackendOptions { Prefix = "r" + Guid.NewGuid().ToString("N")[..10] };
        await using var backend = new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options);
        await backend.InitializeAsync(Ct);
        var queued = (await backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct)).Single();

        await database.StopAsync();
        try
        {
            Assert.Contains("PostgreSQL", await backend.CheckAsync(Ct));
            await Assert.ThrowsAsync<JobBackendUnavailableException>(() => backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct));
            await Assert.ThrowsAsync<JobBackendUnavailableException>(() => backend.TakeAsync("w", 1, TimeSpan.FromSeconds(5), Ct));
        }
        finally
        {
            await database.StartAsync();
        }

        // Pooled connections broken by the restart fail once each; the pool then reconnects.
        string? reason = null;
        await Wait.UntilAsync(async () => (reason = await backend.CheckAsync(Ct)) is null, TimeSpan.FromSeconds(15),
            () => $"the backend to reconnect ({reason})", TimeSpan.FromMilliseconds(100));

        // The delivery handed back while the database was down is taken again.
        var lease = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(queued.Id, lease.Id);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{}")], Ct);
        Assert.Equal(JobStatus.Complete, (await backend.GetAsync(queued.Id, Ct))!.Status);
    }
}
