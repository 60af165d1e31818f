using Microsoft.Data.Sqlite;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Embedded;
using Quarry.Jobs.Model;
using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.Embedded;

/// <summary>What the embedded backend promises beyond the shared contract: restarts, concurrency, file layout.</summary>
public sealed class SqliteJobBackendTests : IAsyncLifetime
{
    private readonly TempDirectory _database = new();
    private readonly List<SqliteJobBackend> _clients = [];
    private readonly JobBackendOptions _options = new() { Prefix = "quarry", LeaseDuration = TimeSpan.FromSeconds(1) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        _database.Dispose();
    }

    private async Task<SqliteJobBackend> ClientAsync(JobBackendOptions? options = null)
    {
        var client = new SqliteJobBackend(_database.File("jobs.db"), options ?? _options);
        await client.InitializeAsync(Ct);
        _clients.Add(client);
        return client;
    }

    private async Task CloseAllAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        _clients.Clear();
        Assert.False(SqliteJobStore.IsOpen(_database.File("jobs.db")), "the file is still held open");
    }

    private static NewJob Job(string payload = "{}") => new(Guid.NewGuid(), "noop", payload);

    [Fact]
    public async Task A_table_written_with_millisecond_times_is_read_correctly_after_an_upgrade()
    {
        var id = Guid.NewGuid();
        var created = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);
        var finished = created.AddMilliseconds(250);
        using (var connection = new SqliteConnection($"Data Source={_database.File("jobs.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE "quarry_jobs" (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, type TEXT NOT NULL, status TEXT NOT NULL,
                    payload TEXT NOT NULL, result TEXT, error TEXT, worker TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
                    available_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, lease_until INTEGER);
                INSERT INTO "quarry_jobs" (id, type, status, payload, attempts, created_at, available_at, started_at, finished_at)
                VALUES ($id, 'noop', 'complete', '{}', 1, $created, $created, $created, $finished);
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$created", created.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$finished", finished.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var backend = await ClientAsync();
        var record = await backend.GetAsync(id, Ct);
        Assert.Equal((created, created, finished), (record!.CreatedAt, record.StartedAt!.Value, record.FinishedAt!.Value));

        // Opening again must not convert a second time.
        await CloseAllAsync();
        var reopened = await ClientAsync();
        Assert.Equal(created, (await reopened.GetAsync(id, Ct))!.CreatedAt);
        Assert.Equal(1, (await reopened.CountAsync(Ct))[JobStatus.Complete]);
    }

    [Fact]
    public async Task A_table_from_before_trace_context_gains_the_columns_and_its_jobs_still_run()
    {
        var id = Guid.NewGuid();
        var created = DateTimeOffset.UtcNow.AddMinutes(-1);
        using (var connection = new SqliteConnection($"Data Source={_database.File("jobs.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE "quarry_jobs" (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, type TEXT NOT NULL, status TEXT NOT NULL,
                    payload TEXT NOT NULL, result TEXT, error TEXT, worker TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
                    available_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, lease_until INTEGER);
                CREATE TABLE quarry_job_time_units (job_table TEXT PRIMARY KEY, unit TEXT NOT NULL);
                INSERT INTO quarry_job_time_units VALUES ('quarry_jobs', 'us');
                INSERT INTO "quarry_jobs" (id, type, status, payload, attempts, created_at, available_at) VALUES ($id, 'noop', 'submitted', '{}', 0, $created, $created);
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$created", (created.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond);
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var backend = await ClientAsync();
        var old = await backend.GetAsync(id, Ct);
        Assert.Equal((JobStatus.Submitted, null), (old!.Status, old.TraceParent));

        var lease = Assert.Single(await backend.TakeAsync("w", 1, TimeSpan.FromSeconds(5), Ct));
        Assert.Equal((id, null), (lease.Id, lease.TraceParent));
        Assert.Equal(created, lease.SubmittedAt!.Value, TimeSpan.FromMilliseconds(1));

        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var fresh = (await backend.SubmitAsync([Job() with { TraceParent = traceParent }], Ct)).Single();
        Assert.Equal(traceParent, (await backend.GetAsync(fresh.Id, Ct))!.TraceParent);

        // Opening again finds the columns there and adds nothing.
        await CloseAllAsync();
        var reopened = await ClientAsync();
        Assert.Equal(traceParent, (await reopened.GetAsync(fresh.Id, Ct))!.TraceParent);
    }

    [Fact]
    public async Task A_restart_loses_no_accepted_job()
    {
        var server = await ClientAsync();
        var jobs = Enumerable.Range(0, 50).Select(i => Job($"{{\"i\":{i},\"text\":\"naïve ✓\"}}")).ToArray();
        await server.SubmitAsync(jobs, Ct);
        var leases = await server.TakeAsync("w", 2, TimeSpan.Zero, Ct);
        await server.ReportAsync([new JobOutcome(leases[0], OutcomeKind.Complete, Result: "{\"ok\":true}")], Ct);
        await server.CancelAsync(jobs[^1].Id, Ct);

        await CloseAllAsync();
        var restarted = await ClientAsync(_options with { LeaseDuration = TimeSpan.FromSeconds(30) });

        var done = await restarted.GetAsync(jobs[0].Id, Ct);
        Assert.Equal((JobStatus.Complete, "{\"ok\":true}"), (done!.Status, done.Result));
        Assert.Equal(JobStatus.InProgress, (await restarted.GetAsync(jobs[1].Id, Ct))!.Status);
        Assert.Equal(JobStatus.Cancelled, (await restarted.GetAsync(jobs[^1].Id, Ct))!.Status);
        foreach (var job in jobs)
        {
            Assert.Equal(job.Payload, (await restarted.GetAsync(job.Id, Ct))!.Payload);
        }

        // The abandoned lease expires and the job runs again; the 47 never taken follow in order.
        var retaken = await restarted.TakeAsync("w2", 100, TimeSpan.FromSeconds(10), Ct);
        while (retaken.Count < 48)
        {
            retaken = [.. retaken, .. await restarted.TakeAsync("w2", 100, TimeSpan.FromSeconds(10), Ct)];
        }

        Assert.Contains(retaken, l => l.Id == jobs[1].Id && l.Attempt == 2);
        Assert.Equal(jobs[1..^1].Select(j => j.Id).Order(), retaken.Select(l => l.Id).Order());
    }

    [Fact]
    public async Task Concurrent_submitters_each_land_exactly_once()
    {
        var clients = new[] { await ClientAsync(), await ClientAsync() };
        var submitted = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var ids = new List<Guid>();
            for (var i = 0; i < 200; i++)
            {
                var record = (await clients[t % 2].SubmitAsync([Job()], Ct)).Single();
                ids.Add(record.Id);
            }

            return ids;
        }, Ct)));

        var listed = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await clients[0].ListAsync(new JobQuery(JobStatus.Submitted, 500, cursor), Ct);
            listed.AddRange(page.Jobs.Select(j => j.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var expected = submitted.SelectMany(ids => ids).Order().ToArray();
        Assert.Equal(1600, expected.Distinct().Count());
        Assert.Equal(expected, listed.Order());
    }

    [Fact]
    public async Task A_batch_with_a_repeated_id_stores_none_of_its_jobs()
    {
        var client = await ClientAsync();
        var kept = Job();
        await client.SubmitAsync([kept], Ct);
        var fresh = Job();

        var refused = await Assert.ThrowsAsync<DuplicateJobException>(() => client.SubmitAsync([fresh, kept], Ct));
        Assert.Equal(kept.Id, refused.Id);
        Assert.Null(await client.GetAsync(fresh.Id, Ct));
        Assert.Single((await client.ListAsync(new JobQuery(null, 10, null), Ct)).Jobs);
    }

    [Fact]
    public async Task The_file_uses_write_ahead_logging()
    {
        await ClientAsync();
        using var connection = new SqliteConnection($"Data Source={_database.File("jobs.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct) as string);
    }

    [Fact]
    public async Task Prefixes_sharing_a_file_never_see_each_others_jobs()
    {
        var first = await ClientAsync(_options with { Prefix = "first" });
        var second = await ClientAsync(_options with { Prefix = "second" });
        var job = Job();
        await first.SubmitAsync([job], Ct);

        Assert.Null(await second.GetAsync(job.Id, Ct));
        Assert.Empty(await second.TakeAsync("w", 10, TimeSpan.Zero, Ct));
        Assert.Equal(job.Id, Assert.Single(await first.TakeAsync("w", 10, TimeSpan.Zero, Ct)).Id);
    }

    [Fact]
    public async Task Initializing_again_keeps_the_data()
    {
        var client = await ClientAsync();
        var job = Job();
        await client.SubmitAsync([job], Ct);
        await client.InitializeAsync(Ct);
        Assert.Equal(JobStatus.Submitted, (await client.GetAsync(job.Id, Ct))!.Status);
        Assert.Null(await client.CheckAsync(Ct));
    }

    [Fact]
    public async Task An_unusable_path_is_named_in_the_error_and_the_health_check()
    {
        var path = _database.UnderRegularFile();
        await using var client = new SqliteJobBackend(path, _options);

        var error = await Assert.ThrowsAsync<JobBackendUnavailableException>(() => client.InitializeAsync(Ct));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, await client.CheckAsync(Ct), StringComparison.Ordinal);
        await Assert.ThrowsAsync<JobBackendUnavailableException>(() => client.SubmitAsync([Job()], Ct));
    }

    [Fact]
    public async Task A_cursor_the_backend_did_not_issue_is_refused()
    {
        var client = await ClientAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => client.ListAsync(new JobQuery(null, 10, "not-a-cursor"), Ct));
    }

    [Fact]
    public void A_prefix_that_is_not_an_identifier_is_refused() =>
        Assert.Throws<ArgumentException>(() => new SqliteJobBackend(_database.File("jobs.db"), _options with { Prefix = "x\"; DROP TABLE y" }));

    [Fact]
    public async Task A_waiting_take_sees_a_retry_when_its_delay_passes()
    {
        var client = await ClientAsync();
        var job = Job();
        await client.SubmitAsync([job], Ct);
        var first = Assert.Single(await client.TakeAsync("w", 1, TimeSpan.Zero, Ct));
        var notBefore = DateTimeOffset.UtcNow.AddMilliseconds(400);
        await client.ReportAsync([new JobOutcome(first, OutcomeKind.Retry, Error: "later", NotBefore: notBefore)], Ct);

        // No commit announces the due time: the idle taker wakes for it instead of at its next 2-second poll.
        var second = Assert.Single(await client.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct));
        Assert.Equal((job.Id, 2), (second.Id, second.Attempt));
        Assert.True(DateTimeOffset.UtcNow >= notBefore.AddMilliseconds(-50), "taken before its delay");
        Assert.True(DateTimeOffset.UtcNow < notBefore.AddSeconds(1.5), "taken at a later poll, not when the retry came due");
    }

    [Fact]
    public async Task A_waiting_take_reclaims_a_lease_when_it_runs_out()
    {
        // A lease that ends between two of the idle taker's 2-second polls (at 0 s and 2 s, the next at 4 s).
        var options = _options with { LeaseDuration = TimeSpan.FromSeconds(3) };
        var client = await ClientAsync(options);
        var job = Job();
        await client.SubmitAsync([job], Ct);
        Assert.Single(await client.TakeAsync("crashed", 1, TimeSpan.Zero, Ct));
        var expires = DateTimeOffset.UtcNow + options.LeaseDuration;

        var reclaimed = Assert.Single(await client.TakeAsync("w", 1, TimeSpan.FromSeconds(10), Ct));
        Assert.Equal((job.Id, 2), (reclaimed.Id, reclaimed.Attempt));
        Assert.True(DateTimeOffset.UtcNow < expires.AddSeconds(0.75), "reclaimed at a later poll, not when the lease ran out");
    }
}
