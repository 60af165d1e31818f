using System.Diagnostics;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Redis;
using Quarry.Jobs.Model;
using StackExchange.Redis;
using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.Redis;

/// <summary>Redis-specific behaviour: the stored shape of records, surviving a server restart, failing fast when unreachable.</summary>
public sealed class RedisJobBackendTests : IAsyncLifetime
{
    private readonly RedisServer _server = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly JobBackendOptions _options = new() { Prefix = "r" + Guid.NewGuid().ToString("N")[..10], LeaseDuration = TimeSpan.FromSeconds(1) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _server.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Records_are_plain_hashes_readable_with_HGETALL()
    {
        var backend = await BackendAsync();
        var job = new NewJob(Guid.NewGuid(), "range", "{\"start\":1,\"end\":5}");
        await backend.SubmitAsync([job], Ct);
        var lease = Assert.Single(await backend.TakeAsync("worker-1", 1, TimeSpan.FromSeconds(5), Ct));
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{\"sum\":15}")], Ct);

        var hash = (await Raw().HashGetAllAsync($"{_options.Prefix}:job:{job.Id:D}")).ToStringDictionary();
        Assert.Equal(job.Id.ToString("D"), hash["id"]);
        Assert.Equal("range", hash["type"]);
        Assert.Equal("complete", hash["status"]);
        Assert.Equal(job.Payload, hash["payload"]);
        Assert.Equal("{\"sum\":15}", hash["result"]);
        Assert.Equal("worker-1", hash["worker"]);
        Assert.Equal("1", hash["attempts"]);
        Assert.Equal(("1", "5"), (hash["start"], hash["end"]));
        foreach (var time in new[] { "created", "started", "finished" })
        {
            Assert.True(DateTimeOffset.TryParse(hash[time], System.Globalization.CultureInfo.InvariantCulture, out _), $"{time} = {hash[time]}");
        }
    }

    [Fact]
    public async Task A_hash_written_by_another_service_reads_as_a_record()
    {
        var backend = await BackendAsync();
        var id = Guid.NewGuid();
        await Raw().HashSetAsync(
            $"{_options.Prefix}:job:{id:D}",
            [new("id", id.ToString("D")), new("type", "range"), new("status", "in progress"), new("payload", "{}"), new("worker", "legacy-7"),
             new("attempts", 2), new("created", "2024-03-01T10:00:00Z"), new("started", "1709287260")]);

        var record = await backend.GetAsync(id, Ct);
        Assert.NotNull(record);
        Assert.Equal((JobStatus.InProgress, "legacy-7", 2), (record.Status, record.Worker, record.Attempts));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), record.CreatedAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 1, 0, TimeSpan.Zero), record.StartedAt);
    }

    [Fact]
    public async Task A_queued_job_written_before_trace_context_was_kept_is_taken_without_it()
    {
        // Queued by an older release: a hash with no trace fields, and a stream entry naming it.
        var backend = await BackendAsync();
        await backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct); // creates the stream and its group
        var first = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(5), Ct));
        await backend.ReportAsync([new JobOutcome(first, OutcomeKind.Complete, Result: "{}")], Ct);

        var id = Guid.NewGuid();
        var key = $"{_options.Prefix}:job:{id:D}";
        var entry = await Raw().StreamAddAsync($"{_options.Prefix}:jobs", "id", id.ToString("D"));
        await Raw().HashSetAsync(key,
            [new("id", id.ToString("D")), new("type", "noop"), new("status", "submitted"), new("payload", "{}"), new("attempts", 0),
             new("created", "2024-03-01T10:00:00.0000000+00:00"), new("entry", entry)]);

        var lease = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(5), Ct));
        Assert.Equal((id, null, null), (lease.Id, lease.TraceParent, lease.TraceState));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), lease.SubmittedAt);
        Assert.Null((await backend.GetAsync(id, Ct))!.TraceParent);
    }

    [Fact]
    public async Task A_batch_with_a_repeated_id_stores_none_of_its_jobs()
    {
        var backend = await BackendAsync();
        var first = new NewJob(Guid.NewGuid(), "noop", "{}");
        await backend.SubmitAsync([first], Ct);
        var fresh = new NewJob(Guid.NewGuid(), "noop", "{}");

        var refused = await Assert.ThrowsAsync<DuplicateJobException>(() => backend.SubmitAsync([fresh, first], Ct));
        Assert.Equal(first.Id, refused.Id);
        Assert.Null(await backend.GetAsync(fresh.Id, Ct));
        Assert.Equal(first.Id, Assert.Single(await backend.TakeAsync("w", 5, TimeSpan.FromMilliseconds(300), Ct)).Id);
    }

    [Fact]
    public async Task A_job_cancelled_while_waiting_for_a_retry_never_runs()
    {
        var backend = await BackendAsync();
        var job = new NewJob(Guid.NewGuid(), "noop", "{}");
        await backend.SubmitAsync([job], Ct);
        var lease = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(5), Ct));
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Retry, Error: "boom", NotBefore: DateTimeOffset.UtcNow.AddMilliseconds(300))], Ct);

        Assert.Equal(JobStatus.Cancelled, (await backend.CancelAsync(job.Id, Ct))!.Status);
        Assert.Empty(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(1.5), Ct));
        Assert.Equal(0, await Raw().SortedSetLengthAsync($"{_options.Prefix}:delayed"));
    }

    [Fact]
    public async Task The_backend_serves_new_jobs_after_a_server_restart()
    {
        var backend = await BackendAsync();
        await backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct);
        await _server.RestartAsync();

        // Commands in flight during the restart may fail; the same instance must work again once the server is back.
        var job = new NewJob(Guid.NewGuid(), "noop", "{}");
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await backend.SubmitAsync([job], Ct);
                return true;
            }
            catch (JobBackendUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "a submission to succeed after the restart", TimeSpan.FromMilliseconds(50));

        Assert.Null(await backend.CheckAsync(Ct));
        var lease = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(job.Id, lease.Id);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{}")], Ct);
        Assert.Equal(JobStatus.Complete, (await backend.GetAsync(job.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Every_call_on_an_unreachable_engine_fails_fast()
    {
        var backend = new RedisJobBackend(RedisJobBackendContractTests.UnreachableConnectionString(), _options);
        _owned.Add(backend);
        var lease = new JobLease(Guid.NewGuid(), "noop", "{}", 1, "1-0");
        Func<Task>[] calls =
        [
            () => backend.InitializeAsync(Ct),
            () => backend.SubmitAsync([new NewJob(Guid.NewGuid(), "noop", "{}")], Ct),
            () => backend.GetAsync(Guid.NewGuid(), Ct),
            () => backend.ListAsync(new JobQuery(null, 10, null), Ct),
            () => backend.CancelAsync(Guid.NewGuid(), Ct),
            () => backend.TakeAsync("w", 1, TimeSpan.FromSeconds(30), Ct),
            () => backend.RenewAsync([lease], Ct),
            () => backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete)], Ct),
        ];

        foreach (var call in calls)
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<JobBackendUnavailableException>(call);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        }

        Assert.NotNull(await backend.CheckAsync(Ct));
    }

    private async Task<RedisJobBackend> BackendAsync()
    {
        var backend = new RedisJobBackend(_server.ConnectionString, _options);
        _owned.Add(backend);
        await backend.InitializeAsync(Ct);
        return backend;
    }

    private IDatabase Raw()
    {
        var client = ConnectionMultiplexer.Connect($"{_server.Host}:{_server.Port}");
        _owned.Add(client);
        return client.GetDatabase();
    }
}
