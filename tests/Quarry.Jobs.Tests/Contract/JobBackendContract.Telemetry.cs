namespace Quarry.Jobs.Tests.Contract;

/// <summary>The contract's trace-context and heartbeat parts: what the worker's span and the workers-seen gauge rely on.</summary>
public abstract partial class JobBackendContract
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Fact]
    public async Task Trace_context_travels_from_submission_to_the_record_and_the_lease()
    {
        var backend = await ClientAsync();
        var job = Job() with { TraceParent = TraceParent, TraceState = "vendor=abc,other=1" };
        var submitted = await SubmitOneAsync(backend, job);
        Assert.Equal((TraceParent, "vendor=abc,other=1"), (submitted.TraceParent, submitted.TraceState));

        var stored = await GetAsync(backend, job.Id);
        Assert.Equal((TraceParent, "vendor=abc,other=1"), (stored.TraceParent, stored.TraceState));

        var lease = await TakeOneAsync(await ClientAsync());
        Assert.Equal((TraceParent, "vendor=abc,other=1"), (lease.TraceParent, lease.TraceState));
        Assert.NotNull(lease.SubmittedAt);
        Assert.Equal(stored.CreatedAt, lease.SubmittedAt.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_job_submitted_without_trace_context_leases_without_it()
    {
        var backend = await ClientAsync();
        var job = await SubmitOneAsync(backend);
        Assert.Null((await GetAsync(backend, job.Id)).TraceParent);

        var lease = await TakeOneAsync(backend);
        Assert.Equal((job.Id, null, null), (lease.Id, lease.TraceParent, lease.TraceState));
    }

    [Fact]
    public async Task Heartbeats_list_each_worker_once_with_its_latest_time_and_only_since_the_given_time()
    {
        var backend = await ClientAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        await backend.RecordWorkerAsync("w-one", Ct);
        await backend.RecordWorkerAsync("w-two", Ct);
        await backend.RecordWorkerAsync("w-one", Ct);

        var seen = await (await ClientAsync()).ListWorkersAsync(before, Ct);
        Assert.Equal(["w-one", "w-two"], seen.Select(w => w.Id).Order(StringComparer.Ordinal));
        Assert.All(seen, w => Assert.InRange(w.LastSeen, before, DateTimeOffset.UtcNow.AddSeconds(2)));

        Assert.Empty(await backend.ListWorkersAsync(DateTimeOffset.UtcNow.AddMinutes(1), Ct));
    }
}
