using Npgsql;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Model;
using RabbitMQ.Client;

namespace Quarry.Jobs.Tests.RabbitMq;

/// <summary>
/// Jobs submitted together travel in one message: a worker that takes fewer hands the rest to other workers, and when the
/// message comes back after a crash, only the jobs taken through it run again.
/// </summary>
public sealed class RabbitMqSharedMessageTests(RabbitMqServer broker, PostgresServer database)
    : IClassFixture<RabbitMqServer>, IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_take_smaller_than_a_message_hands_the_rest_on_and_a_crash_reruns_only_its_own_jobs()
    {
        var options = NewOptions();
        var first = await StartAsync(options);
        await using var second = await StartAsync(options);
        var jobs = Jobs(10);
        await first.SubmitAsync(jobs, Ct);

        var mine = await first.TakeAsync("w1", 3, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(3, mine.Count);

        // The first client holds the message but starts only three: the other seven must reach the second client.
        var theirs = await TakeAllAsync(second, "w2", 7);
        Assert.Equal(jobs.Select(j => j.Id).Order(), mine.Concat(theirs).Select(l => l.Id).Order());

        // The first client dies holding its three: the broker redelivers the whole message, naming all ten jobs, but
        // the seven the second client is running were taken through another message and must not start again.
        await first.DisposeAsync();
        await using var third = await StartAsync(options);
        var again = await TakeAllAsync(third, "w3", 3);
        Assert.Equal(mine.Select(l => l.Id).Order(), again.Select(l => l.Id).Order());
        Assert.All(again, l => Assert.Equal(2, l.Attempt));
        Assert.Empty(await third.TakeAsync("w3", 10, TimeSpan.FromMilliseconds(500), Ct));

        await second.ReportAsync([.. theirs.Select(Complete)], Ct);
        await third.ReportAsync([.. again.Select(Complete)], Ct);
        var counts = await third.CountAsync(Ct);
        Assert.Equal(10, counts[JobStatus.Complete]);
        Assert.Equal(0, counts[JobStatus.InProgress]);
        Assert.All(theirs, l => Assert.Equal(1, l.Attempt));
    }

    [Fact]
    public async Task A_busy_worker_gives_back_a_delivery_it_holds_unread_to_an_idle_one()
    {
        var options = NewOptions();
        await using var busy = await StartAsync(options);
        await using var idle = await StartAsync(options);
        var jobs = Jobs(3);
        foreach (var job in jobs)
        {
            await busy.SubmitAsync([job], Ct); // one message each
        }

        // Taking one job, the busy client's prefetch also brings it a second message, which it does not read while its
        // job runs (it never takes again here). The idle client must still get both other jobs.
        var running = await busy.TakeAsync("busy", 1, TimeSpan.FromSeconds(10), Ct);
        Assert.Single(running);
        var theirs = await TakeAllAsync(idle, "idle", 2, perTake: 1);
        Assert.Equal(jobs.Select(j => j.Id).Order(), running.Concat(theirs).Select(l => l.Id).Order());
    }

    [Fact]
    public async Task Jobs_released_from_a_shared_message_are_queued_again_and_the_rest_stay_settled()
    {
        var options = NewOptions();
        var first = await StartAsync(options);
        var jobs = Jobs(8);
        await first.SubmitAsync(jobs, Ct);
        var leases = await TakeAllAsync(first, "w1", 8);

        // Half finish, half are handed back (a worker stopping): only the released ones come back.
        await first.ReportAsync([.. leases.Take(4).Select(Complete), .. leases.Skip(4).Select(l => new JobOutcome(l, OutcomeKind.Release))], Ct);
        var again = await TakeAllAsync(first, "w1", 4);
        Assert.Equal(leases.Skip(4).Select(l => l.Id).Order(), again.Select(l => l.Id).Order());
        await first.ReportAsync([.. again.Select(Complete)], Ct);

        // Every job is settled, so the original message was acked: a new client finds nothing to redeliver.
        await first.DisposeAsync();
        await using var second = await StartAsync(options);
        Assert.Empty(await second.TakeAsync("w2", 10, TimeSpan.FromMilliseconds(500), Ct));
        Assert.Equal(8, (await second.CountAsync(Ct))[JobStatus.Complete]);
    }

    [Fact]
    public async Task A_message_that_comes_back_after_a_crash_reruns_every_job_it_held_even_through_small_takes()
    {
        var options = NewOptions();
        var first = await StartAsync(options);
        var jobs = Jobs(10);
        await first.SubmitAsync(jobs, Ct);
        Assert.Equal(10, (await TakeAllAsync(first, "w1", 10)).Count);

        // The worker dies running all ten. The next one takes three at a time: the jobs it cannot start yet are still in
        // progress under the redelivered message, so they must wait for its next takes rather than go out in a new message.
        await first.DisposeAsync();
        await using var second = await StartAsync(options);
        var again = await TakeAllAsync(second, "w2", 10, perTake: 3);
        Assert.Equal(jobs.Select(j => j.Id).Order(), again.Select(l => l.Id).Order());
        Assert.All(again, l => Assert.Equal(2, l.Attempt));
        await second.ReportAsync([.. again.Select(Complete)], Ct);
        Assert.Equal(10, (await second.CountAsync(Ct))[JobStatus.Complete]);
    }

    [Fact]
    public async Task Messages_of_earlier_versions_still_run_and_new_ones_never_reach_their_queue()
    {
        var options = NewOptions();
        await using var backend = await StartAsync(options);

        // What a server of an earlier version leaves behind: the record, and a message naming it alone, with no message
        // id, in the queue that version used.
        var old = Jobs(1)[0];
        await using (var dataSource = NpgsqlDataSource.Create(database.ConnectionString))
        {
            await new JobTable(dataSource, options.Prefix + "_jobs").InsertAsync([new JobTable.Stamped(old, DateTimeOffset.UtcNow)], Ct);
        }

        var legacy = QueueNames.For(options.Prefix).Legacy;
        await using var connection = await new ConnectionFactory { Uri = broker.Uri }.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.BasicPublishAsync("", legacy, mandatory: true, new BasicProperties { Persistent = true }, old.Id.ToByteArray(), Ct);

        // New submissions go elsewhere: a worker of the earlier version, which reads one id per message, never sees them.
        var fresh = Jobs(3);
        await backend.SubmitAsync(fresh, Ct);
        Assert.Equal(1u, await channel.MessageCountAsync(legacy, Ct));

        var leases = await TakeAllAsync(backend, "w1", 4);
        Assert.Equal(fresh.Append(old).Select(j => j.Id).Order(), leases.Select(l => l.Id).Order());
        await backend.ReportAsync([.. leases.Select(Complete)], Ct);
        Assert.Equal(4, (await backend.CountAsync(Ct))[JobStatus.Complete]);
        Assert.Empty(await backend.TakeAsync("w1", 10, TimeSpan.FromMilliseconds(300), Ct));
    }

    private static JobBackendOptions NewOptions() => new() { Prefix = "m" + Guid.NewGuid().ToString("N")[..10] };

    private static NewJob[] Jobs(int count) => [.. Enumerable.Range(0, count).Select(_ => new NewJob(Guid.NewGuid(), "noop", "{}"))];

    private async Task<RabbitMqJobBackend> StartAsync(JobBackendOptions options)
    {
        var backend = new RabbitMqJobBackend(broker.Uri.ToString(), database.ConnectionString, options);
        await backend.InitializeAsync(Ct);
        return backend;
    }

    private static async Task<List<JobLease>> TakeAllAsync(IJobBackend backend, string worker, int count, int perTake = 10)
    {
        var leases = new List<JobLease>();
        while (leases.Count < count && await backend.TakeAsync(worker, perTake, TimeSpan.FromSeconds(10), Ct) is { Count: > 0 } taken)
        {
            Assert.InRange(taken.Count, 1, perTake);
            leases.AddRange(taken);
        }

        return leases;
    }

    private static JobOutcome Complete(JobLease lease) => new(lease, OutcomeKind.Complete, Result: "{}");
}
