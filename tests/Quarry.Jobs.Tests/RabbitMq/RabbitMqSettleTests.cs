using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Tests.RabbitMq;

/// <summary>Acks sent in batches (one multiple-ack where it can) never remove a delivery whose job has not finished.</summary>
public sealed class RabbitMqSettleTests(RabbitMqServer broker, PostgresServer database)
    : IClassFixture<RabbitMqServer>, IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Jobs_finished_out_of_order_leave_the_unfinished_ones_queued_for_the_next_client()
    {
        var options = new JobBackendOptions { Prefix = "s" + Guid.NewGuid().ToString("N")[..10] };
        var first = new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options);
        await first.InitializeAsync(Ct);
        var jobs = Enumerable.Range(0, 12).Select(_ => new NewJob(Guid.NewGuid(), "noop", "{}")).ToArray();
        await first.SubmitAsync(jobs, Ct);
        var leases = new List<JobLease>();
        while (leases.Count < jobs.Length)
        {
            leases.AddRange(await first.TakeAsync("w1", jobs.Length - leases.Count, TimeSpan.FromSeconds(10), Ct));
        }

        // Reports that mix tags below the oldest held delivery (one multiple-ack) with tags above it (single acks).
        var ordered = leases.OrderBy(l => l.Receipt.Length).ThenBy(l => l.Receipt, StringComparer.Ordinal).ToArray();
        int[][] reports = [[0, 1, 2, 8], [4, 5, 11], [3, 6, 10]];
        foreach (var report in reports)
        {
            await first.ReportAsync([.. report.Select(i => Complete(ordered[i]))], Ct);
        }

        var finished = reports.SelectMany(r => r).Select(i => ordered[i]).ToArray();

        // The first client dies with the rest unfinished: the broker must hand exactly those to the next client.
        await first.DisposeAsync();
        await using var second = new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options);
        await second.InitializeAsync(Ct);
        var unfinished = ordered.Select(l => l.Id).Except(finished.Select(l => l.Id)).ToHashSet();
        var again = new List<JobLease>();
        while (again.Count < unfinished.Count && await second.TakeAsync("w2", 12, TimeSpan.FromSeconds(10), Ct) is { Count: > 0 } taken)
        {
            again.AddRange(taken);
        }

        Assert.Equal(unfinished.Order(), again.Select(l => l.Id).Order());
        Assert.Empty(await second.TakeAsync("w2", 12, TimeSpan.FromMilliseconds(300), Ct));
        await second.ReportAsync([.. again.Select(Complete)], Ct);
        Assert.Equal(jobs.Length, (await second.CountAsync(Ct))[JobStatus.Complete]);
    }

    private static JobOutcome Complete(JobLease lease) => new(lease, OutcomeKind.Complete, Result: "{}");
}
