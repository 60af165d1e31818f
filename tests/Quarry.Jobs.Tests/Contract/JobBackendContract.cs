using System.Diagnostics;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Tests.Contract;

/// <summary>
/// The behaviour every job backend must show. A subclass per backend supplies fresh clients on one engine;
/// each test uses its own prefix so tests never see each other's jobs.
/// </summary>
public abstract partial class JobBackendContract : IAsyncLifetime
{
    private readonly List<IJobBackend> _clients = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Lease used by the tests: short, so crash recovery is quick to observe.</summary>
    protected virtual TimeSpan Lease => TimeSpan.FromSeconds(1);

    protected JobBackendOptions Options { get; } = new() { Prefix = "t" + Guid.NewGuid().ToString("N")[..10] };

    /// <summary>A new client of the same engine and namespace (one per simulated worker or server).</summary>
    protected abstract Task<IJobBackend> CreateClientAsync(JobBackendOptions options);

    /// <summary>A client pointed at an engine that is not there.</summary>
    protected abstract Task<IJobBackend> CreateUnreachableClientAsync(JobBackendOptions options);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }

    protected async Task<IJobBackend> ClientAsync()
    {
        var client = await CreateClientAsync(Options with { LeaseDuration = Lease });
        await client.InitializeAsync(Ct);
        _clients.Add(client);
        return client;
    }

    protected static NewJob Job(string type = "noop", string payload = "{\"n\":1}") => new(Guid.NewGuid(), type, payload);

    protected static async Task<JobRecord> SubmitOneAsync(IJobBackend backend, NewJob? job = null) =>
        (await backend.SubmitAsync([job ?? Job()], Ct)).Single();

    protected static async Task<JobLease> TakeOneAsync(IJobBackend backend, string worker = "w1", TimeSpan? wait = null)
    {
        var leases = await backend.TakeAsync(worker, 1, wait ?? TimeSpan.FromSeconds(10), Ct);
        return Assert.Single(leases);
    }

    protected static async Task<JobRecord> GetAsync(IJobBackend backend, Guid id) =>
        await backend.GetAsync(id, Ct) ?? throw new Xunit.Sdk.XunitException($"job {id} is unknown");

    [Fact]
    public async Task Submitted_job_is_stored_as_submitted()
    {
        var backend = await ClientAsync();
        var job = Job("range", "{\"start\":1,\"end\":5}");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var record = await SubmitOneAsync(backend, job);

        Assert.Equal(job.Id, record.Id);
        var stored = await GetAsync(backend, job.Id);
        Assert.Equal(JobStatus.Submitted, stored.Status);
        Assert.Equal("range", stored.Type);
        Assert.Equal(job.Payload, stored.Payload);
        Assert.Equal(0, stored.Attempts);
        Assert.Null(stored.Worker);
        Assert.InRange(stored.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Unknown_ids_are_null()
    {
        var backend = await ClientAsync();
        Assert.Null(await backend.GetAsync(Guid.NewGuid(), Ct));
        Assert.Null(await backend.CancelAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task A_repeated_id_is_refused()
    {
        var backend = await ClientAsync();
        var job = Job();
        await SubmitOneAsync(backend, job);
        await Assert.ThrowsAsync<DuplicateJobException>(() => backend.SubmitAsync([job], Ct));
    }

    [Fact]
    public async Task Concurrent_submissions_are_each_stored_and_a_repeated_id_fails_only_its_own()
    {
        // Concurrent submissions may be written together (group commit): one bad submission must not sink the others.
        var backend = await ClientAsync();
        var repeated = Job();
        var jobs = Enumerable.Range(0, 40).Select(_ => Job()).ToArray();
        var submissions = jobs.Select(j => backend.SubmitAsync([j], Ct))
            .Concat([backend.SubmitAsync([repeated], Ct), backend.SubmitAsync([Job(), repeated], Ct)]).ToArray();
        var outcomes = await Task.WhenAll(submissions.Select(async s =>
        {
            try
            {
                await s;
                return null;
            }
            catch (DuplicateJobException e)
            {
                return e;
            }
        }));

        Assert.All(outcomes.Take(jobs.Length), Assert.Null);
        Assert.Single(outcomes.Skip(jobs.Length), e => e is not null);
        foreach (var job in jobs.Append(repeated))
        {
            Assert.Equal(JobStatus.Submitted, (await backend.GetAsync(job.Id, Ct))?.Status);
        }

        var storedWithRepeated = outcomes[^1] is null ? 1 : 0; // the pair is stored whole or not at all
        Assert.Equal(jobs.Length + 1 + storedWithRepeated, (await backend.CountAsync(Ct))[JobStatus.Submitted]);
    }

    [Fact]
    public async Task Taking_a_job_marks_it_in_progress_with_the_worker()
    {
        var backend = await ClientAsync();
        var record = await SubmitOneAsync(backend);
        var lease = await TakeOneAsync(backend, "worker-7");

        Assert.Equal(record.Id, lease.Id);
        Assert.Equal(1, lease.Attempt);
        Assert.Equal(record.Payload, lease.Payload);
        var stored = await GetAsync(backend, record.Id);
        Assert.Equal(JobStatus.InProgress, stored.Status);
        Assert.Equal("worker-7", stored.Worker);
        Assert.Equal(1, stored.Attempts);
        Assert.NotNull(stored.StartedAt);
    }

    [Fact]
    public async Task Take_waits_briefly_and_returns_nothing_when_idle()
    {
        var backend = await ClientAsync();
        var wait = TimeSpan.FromMilliseconds(600);
        var watch = Stopwatch.StartNew();
        var leases = await backend.TakeAsync("w", 5, wait, Ct);
        watch.Stop();
        Assert.Empty(leases);

        // It does wait (a take that returns at once would make every idle worker spin), though not much longer than asked.
        Assert.True(watch.Elapsed >= wait / 2, $"returned after {watch.Elapsed.TotalMilliseconds:F0} ms of the {wait.TotalMilliseconds:F0} ms asked");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_waiting_take_wakes_when_a_job_arrives()
    {
        var worker = await ClientAsync();
        var server = await ClientAsync();
        var take = worker.TakeAsync("w", 1, TimeSpan.FromSeconds(20), Ct);

        // Part of the scenario, not a settling delay: the take has waited a while, empty, before the job is submitted.
        await Task.Delay(200, Ct);
        Assert.False(take.IsCompleted, "the take returned before any job was submitted");
        var watch = Stopwatch.StartNew();
        var record = await SubmitOneAsync(server);
        var leases = await take;
        Assert.Equal(record.Id, Assert.Single(leases).Id);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"woke after {watch.Elapsed}"); // well before the 20 s wait ends
    }

    [Fact]
    public async Task Complete_is_final_and_keeps_the_result()
    {
        var backend = await ClientAsync();
        var record = await SubmitOneAsync(backend);
        var lease = await TakeOneAsync(backend);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{\"sum\":15}")], Ct);

        var stored = await GetAsync(backend, record.Id);
        Assert.Equal(JobStatus.Complete, stored.Status);
        Assert.Equal("{\"sum\":15}", stored.Result);
        Assert.NotNull(stored.FinishedAt);

        // A late or repeated report for the same attempt changes nothing.
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Retry, Error: "late", NotBefore: DateTimeOffset.UtcNow)], Ct);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Fail, Error: "late")], Ct);
        Assert.Equal(JobStatus.Complete, (await GetAsync(backend, record.Id)).Status);
        Assert.Empty(await backend.TakeAsync("w", 1, TimeSpan.FromMilliseconds(1500), Ct));
    }

    [Fact]
    public async Task Retry_returns_the_job_to_submitted_and_runs_it_again_after_the_delay()
    {
        var backend = await ClientAsync();
        var record = await SubmitOneAsync(backend);
        var first = await TakeOneAsync(backend);
        var notBefore = DateTimeOffset.UtcNow.AddSeconds(1.5);
        await backend.ReportAsync([new JobOutcome(first, OutcomeKind.Retry, Error: "boom", NotBefore: notBefore)], Ct);

        var waiting = await GetAsync(backend, record.Id);
        Assert.Equal(JobStatus.Submitted, waiting.Status);
        Assert.Equal("boom", waiting.Error);
        Assert.Equal(1, waiting.Attempts);

        var second = await TakeOneAsync(backend, wait: TimeSpan.FromSeconds(15));
        Assert.True(DateTimeOffset.UtcNow >= notBefore.AddMilliseconds(-50), "retried before its delay");
        Assert.Equal(2, second.Attempt);
        Assert.Equal(2, (await GetAsync(backend, record.Id)).Attempts);
    }

    [Fact]
    public async Task Fail_is_final_and_keeps_the_error()
    {
        var backend = await ClientAsync();
        var record = await SubmitOneAsync(backend);
        var lease = await TakeOneAsync(backend);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Fail, Error: "division by zero")], Ct);

        var stored = await GetAsync(backend, record.Id);
        Assert.Equal(JobStatus.Failed, stored.Status);
        Assert.Equal("division by zero", stored.Error);
        Assert.NotNull(stored.FinishedAt);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{}")], Ct);
        Assert.Equal(JobStatus.Failed, (await GetAsync(backend, record.Id)).Status);
        Assert.Empty(await backend.TakeAsync("w", 1, TimeSpan.FromMilliseconds(1500), Ct));
    }

    [Fact]
    public async Task Release_hands_the_job_back_at_once()
    {
        var backend = await ClientAsync();
        var record = await SubmitOneAsync(backend);
        var lease = await TakeOneAsync(backend);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Release)], Ct);
        Assert.Equal(JobStatus.Submitted, (await GetAsync(backend, record.Id)).Status);
        var again = await TakeOneAsync(backend, "w2", TimeSpan.FromSeconds(5));
        Assert.Equal(record.Id, again.Id);
        Assert.Equal("w2", (await GetAsync(backend, record.Id)).Worker);
    }

    [Fact]
    public async Task Cancel_stops_a_submitted_job_but_not_a_running_one()
    {
        var backend = await ClientAsync();
        var waiting = await SubmitOneAsync(backend);
        var cancelled = await backend.CancelAsync(waiting.Id, Ct);
        Assert.Equal(JobStatus.Cancelled, cancelled!.Status);
        Assert.NotNull(cancelled.FinishedAt);

        var running = await SubmitOneAsync(backend);
        var lease = await TakeOneAsync(backend);
        Assert.Equal(running.Id, lease.Id); // the cancelled one was skipped
        Assert.Equal(JobStatus.InProgress, (await backend.CancelAsync(running.Id, Ct))!.Status);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete)], Ct);
        Assert.Equal(JobStatus.Complete, (await GetAsync(backend, running.Id)).Status);
        Assert.Empty(await backend.TakeAsync("w", 1, TimeSpan.FromMilliseconds(1500), Ct));
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(backend, waiting.Id)).Status);
    }

    [Fact]
    public async Task A_crashed_workers_job_is_taken_again_and_its_late_report_ignored()
    {
        var crashing = await ClientAsync();
        var record = await SubmitOneAsync(crashing);
        var lost = await TakeOneAsync(crashing, "doomed");
        await crashing.DisposeAsync(); // the worker process dies without reporting
        _clients.Remove(crashing);

        var survivor = await ClientAsync();
        var retaken = await TakeOneAsync(survivor, "survivor", TimeSpan.FromSeconds(30));
        Assert.Equal(record.Id, retaken.Id);
        Assert.Equal(2, retaken.Attempt);
        var stored = await GetAsync(survivor, record.Id);
        Assert.Equal(("survivor", 2, JobStatus.InProgress), (stored.Worker, stored.Attempts, stored.Status));

        await survivor.ReportAsync([new JobOutcome(lost, OutcomeKind.Fail, Error: "stale attempt")], Ct);
        Assert.Equal(JobStatus.InProgress, (await GetAsync(survivor, record.Id)).Status);
        await survivor.ReportAsync([new JobOutcome(retaken, OutcomeKind.Complete, Result: "{}")], Ct);
        Assert.Equal(JobStatus.Complete, (await GetAsync(survivor, record.Id)).Status);
    }

    [Fact]
    public async Task Renewed_leases_are_not_taken_by_others()
    {
        var holder = await ClientAsync();
        var other = await ClientAsync();
        var record = await SubmitOneAsync(holder);
        var lease = await TakeOneAsync(holder);
        // Renewed every tenth of a lease, so only a stall of most of a lease (not a busy machine's hiccup) could let the
        // thief in; without renewal the lease ends after one and the thief takes the job within the three.
        var until = DateTime.UtcNow + Lease * 3;
        while (DateTime.UtcNow < until)
        {
            await holder.RenewAsync([lease], Ct);
            Assert.Empty(await other.TakeAsync("thief", 1, Lease / 10, Ct));
        }

        await holder.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete)], Ct);
        Assert.Equal(JobStatus.Complete, (await GetAsync(holder, record.Id)).Status);
    }

    [Fact]
    public async Task Jobs_are_taken_in_submission_order()
    {
        var backend = await ClientAsync();
        var submitted = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            submitted.Add((await SubmitOneAsync(backend)).Id);
        }

        var taken = new List<Guid>();
        while (taken.Count < 5)
        {
            taken.AddRange((await backend.TakeAsync("w", 2, TimeSpan.FromSeconds(5), Ct)).Select(l => l.Id));
        }

        Assert.Equal(submitted, taken);
    }

    [Fact]
    public async Task Listing_is_newest_first_filterable_and_pages_without_gaps()
    {
        var backend = await ClientAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add((await SubmitOneAsync(backend)).Id);
        }

        var lease = await TakeOneAsync(backend);
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete)], Ct);

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await backend.ListAsync(new JobQuery(null, 7, cursor), Ct);
            Assert.True(page.Jobs.Count <= 7);
            seen.AddRange(page.Jobs.Select(j => j.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
        var complete = await backend.ListAsync(new JobQuery(JobStatus.Complete, 50, null), Ct);
        Assert.Equal(ids[0], Assert.Single(complete.Jobs).Id);
        var submittedOnly = await backend.ListAsync(new JobQuery(JobStatus.Submitted, 50, null), Ct);
        Assert.Equal(24, submittedOnly.Jobs.Count);
    }

    [Fact]
    public async Task A_cursor_the_backend_did_not_issue_is_an_argument_error()
    {
        var backend = await ClientAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => backend.ListAsync(new JobQuery(null, 10, "not-a-cursor"), Ct));
    }

    [Fact]
    public async Task Two_workers_drain_a_batch_and_each_job_completes_exactly_once()
    {
        var server = await ClientAsync();
        var jobs = Enumerable.Range(0, 300).Select(_ => Job()).ToArray();
        foreach (var chunk in jobs.Chunk(50))
        {
            await server.SubmitAsync(chunk, Ct);
        }

        var taken = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        async Task WorkAsync(string name)
        {
            var client = await ClientAsync();
            var idle = 0;
            while (idle < 3)
            {
                var leases = await client.TakeAsync(name, 16, TimeSpan.FromMilliseconds(300), Ct);
                idle = leases.Count == 0 ? idle + 1 : 0;
                foreach (var lease in leases)
                {
                    taken.Add(lease.Id);
                }

                await client.ReportAsync(leases.Select(l => new JobOutcome(l, OutcomeKind.Complete, Result: $"{{\"by\":\"{name}\"}}")).ToArray(), Ct);
            }
        }

        await Task.WhenAll(WorkAsync("a"), WorkAsync("b"));
        Assert.Equal(jobs.Length, taken.Count);
        Assert.Equal(jobs.Select(j => j.Id).Order(), taken.Order());
        foreach (var job in jobs.Take(20))
        {
            var record = await GetAsync(server, job.Id);
            Assert.Equal(JobStatus.Complete, record.Status);
            Assert.Contains(record.Worker, new[] { "a", "b" });
        }
    }

    [Fact]
    public async Task An_unreachable_engine_is_reported_not_hung()
    {
        await using var backend = await CreateUnreachableClientAsync(Options with { LeaseDuration = Lease });
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<JobBackendUnavailableException>(async () =>
        {
            await backend.InitializeAsync(Ct);
            await backend.SubmitAsync([Job()], Ct);
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.NotNull(await backend.CheckAsync(Ct));
    }
}
