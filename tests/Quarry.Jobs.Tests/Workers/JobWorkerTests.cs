using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Embedded;
using Quarry.Jobs.Handlers;
using Quarry.Jobs.Model;
using Quarry.Jobs.Telemetry;
using Quarry.Jobs.Workers;
using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.Workers;

/// <summary>The worker loop on the embedded backend: retries with backoff, final failure, concurrency, graceful stop.</summary>
public sealed class JobWorkerTests : IAsyncLifetime
{
    private readonly TempDirectory _database = new();

    // Retry times are decided by the clock the worker and the backend share: the tests move it instead of sleeping.
    private readonly FakeTimeProvider _clock = new();
    private readonly FlakyHandler _flaky;
    private SqliteJobBackend _backend = null!;

    public JobWorkerTests() => _flaky = new FlakyHandler(_clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _backend = new SqliteJobBackend(_database.File("jobs.db"), new JobBackendOptions { LeaseDuration = TimeSpan.FromSeconds(5), Clock = _clock });
        await _backend.InitializeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task A_failing_job_is_retried_with_growing_delays_then_completes()
    {
        var id = await SubmitAsync("flaky", "{\"failures\":2}");
        await using var worker = await StartAsync(maxAttempts: 3);
        var record = await UntilFinalAsync(id, advance: TimeSpan.FromMilliseconds(25));

        Assert.Equal(JobStatus.Complete, record.Status);
        Assert.Equal(3, record.Attempts);
        var starts = _flaky.Starts[id];
        Assert.Equal(3, starts.Count);

        // The retry delay is 200 ms, doubled for the second retry, each with ±20 % jitter.
        Assert.True(starts[1] - starts[0] >= TimeSpan.FromMilliseconds(160), $"first retry after {starts[1] - starts[0]}");
        Assert.True(starts[2] - starts[1] >= TimeSpan.FromMilliseconds(320), $"second retry after {starts[2] - starts[1]}");
    }

    [Fact]
    public async Task A_job_failing_every_attempt_ends_failed_with_its_error()
    {
        var id = await SubmitAsync("flaky", "{\"failures\":99}");
        await using var worker = await StartAsync(maxAttempts: 2);
        var record = await UntilFinalAsync(id, advance: TimeSpan.FromMilliseconds(25));
        Assert.Equal(JobStatus.Failed, record.Status);
        Assert.Equal(2, record.Attempts);
        Assert.Contains("planned failure 2", record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_final_failures_completions_and_starts_are_counted_by_type_and_backend()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var counts = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == JobMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            counts.AddOrUpdate(Key(instrument.Name, tags), value, (_, total) => total + value));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
            counts.AddOrUpdate(Key(instrument.Name, tags), 1, (_, total) => total + 1));
        listener.Start();

        var recovers = await SubmitAsync("flaky", "{\"failures\":2}");
        var gives = await SubmitAsync("flaky", "{\"failures\":99}");
        var sum = await SubmitAsync("range", "{\"start\":1,\"end\":3}");
        await using var worker = await StartAsync(maxAttempts: 3, metrics: new JobMetrics(factory));
        foreach (var id in new[] { recovers, gives, sum })
        {
            await UntilFinalAsync(id, advance: TimeSpan.FromSeconds(1)); // past every retry delay
        }

        // The outcome is counted before it is stored, so the counts are complete once the records are final.
        Assert.Equal(6, counts.GetValueOrDefault("quarry.jobs.started flaky embedded"));
        Assert.Equal(1, counts.GetValueOrDefault("quarry.jobs.started range embedded"));
        Assert.Equal(4, counts.GetValueOrDefault("quarry.jobs.retried flaky embedded"));
        Assert.Equal(1, counts.GetValueOrDefault("quarry.jobs.failed flaky embedded"));
        Assert.Equal(1, counts.GetValueOrDefault("quarry.jobs.completed flaky embedded"));
        Assert.Equal(1, counts.GetValueOrDefault("quarry.jobs.completed range embedded"));
        Assert.Equal(6, counts.GetValueOrDefault("quarry.jobs.run.duration flaky embedded"));
        Assert.Equal(2, counts.GetValueOrDefault("quarry.jobs.wait.duration flaky embedded")); // first attempts only
        Assert.False(counts.ContainsKey("quarry.jobs.failed range embedded"));

        static string Key(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? type = null, backend = null;
            foreach (var tag in tags)
            {
                (type, backend) = tag.Key switch { "type" => ((string?)tag.Value, backend), "backend" => (type, (string?)tag.Value), _ => (type, backend) };
            }

            return $"{name} {type} {backend}";
        }
    }

    [Fact]
    public async Task Bad_input_and_unknown_types_fail_at_once_without_retries()
    {
        var bad = await SubmitAsync("range", "{\"start\": 5}");
        var unknown = await SubmitAsync("no-such-type", "{}");
        await using var worker = await StartAsync(maxAttempts: 5);
        var badRecord = await UntilFinalAsync(bad);
        var unknownRecord = await UntilFinalAsync(unknown);
        Assert.Equal((JobStatus.Failed, 1), (badRecord.Status, badRecord.Attempts));
        Assert.Equal((JobStatus.Failed, 1), (unknownRecord.Status, unknownRecord.Attempts));
        Assert.Contains("no-such-type", unknownRecord.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrency_bounds_the_jobs_running_at_once()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await SubmitAsync("flaky", "{\"failures\":0,\"ms\":100}"));
        }

        await using var worker = await StartAsync(maxAttempts: 1, concurrency: 3);
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Complete, (await UntilFinalAsync(id)).Status);
        }

        Assert.Equal(3, _flaky.MaxRunning);
    }

    [Fact]
    public async Task Stopping_hands_unfinished_jobs_back_for_another_worker()
    {
        var id = await SubmitAsync("flaky", "{\"failures\":0,\"ms\":30000}");
        var worker = await StartAsync(maxAttempts: 3, grace: TimeSpan.FromMilliseconds(200));
        await Wait.UntilAsync(() => _flaky.Running == 1, TimeSpan.FromSeconds(30), "the flaky job to run");

        // The grace period runs on the shared clock: move it on until the worker gives up on the job and stops.
        var stopping = worker.DisposeAsync().AsTask();
        await Wait.UntilAsync(() =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(50));
            return stopping.IsCompleted;
        }, TimeSpan.FromSeconds(30), "the worker to stop once its grace period is over");
        await stopping;

        var record = await _backend.GetAsync(id, Ct);
        Assert.Equal(JobStatus.Submitted, record!.Status); // released, not lost and not failed
        var next = await _backend.TakeAsync("next", 1, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(id, Assert.Single(next).Id);
    }

    private async Task<Guid> SubmitAsync(string type, string payload)
    {
        var job = new NewJob(Guid.NewGuid(), type, payload);
        await _backend.SubmitAsync([job], Ct);
        return job.Id;
    }

    private async Task<RunningWorker> StartAsync(int maxAttempts, int concurrency = 4, TimeSpan? grace = null, JobMetrics? metrics = null)
    {
        var settings = new WorkerSettings("test-worker", concurrency, TimeSpan.FromSeconds(5), maxAttempts, TimeSpan.FromMilliseconds(200),
            grace ?? TimeSpan.FromSeconds(5));
        var handlers = new JobHandlers([_flaky, new RangeJobHandler()]);
        var worker = new JobWorker(_backend, handlers, settings, _clock, NullLogger<JobWorker>.Instance, metrics: metrics);
        await worker.StartAsync(Ct);
        return new RunningWorker(worker);
    }

    /// <summary>Polls until the job is final, moving the shared clock by <paramref name="advance"/> at each look.</summary>
    private async Task<JobRecord> UntilFinalAsync(Guid id, TimeSpan advance = default)
    {
        JobRecord? record = null;
        await Wait.UntilAsync(async () =>
        {
            _clock.Advance(advance);
            return JobStatus.IsFinal((record = await _backend.GetAsync(id, Ct))!.Status);
        }, TimeSpan.FromSeconds(30), () => $"job {id} to finish (still {record?.Status})");
        return record!;
    }


    private sealed class RunningWorker(JobWorker worker) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
        }
    }

    /// <summary>Fails its first <c>failures</c> attempts, optionally after sleeping <c>ms</c>; records when each attempt started.</summary>
    private sealed class FlakyHandler(TimeProvider clock) : IJobHandler
    {
        private int _running;
        private int _maxRunning;

        public ConcurrentDictionary<Guid, List<DateTimeOffset>> Starts { get; } = new();

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public string Type => "flaky";

        public string? Validate(JsonElement payload) => null;

        public async Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
        {
            var starts = Starts.GetOrAdd(context.Id, _ => []);
            lock (starts)
            {
                starts.Add(clock.GetUtcNow());
            }

            var now = Interlocked.Increment(ref _running);
            InterlockedMax(ref _maxRunning, now);
            try
            {
                if (context.Payload.TryGetProperty("ms", out var ms))
                {
                    await Task.Delay(ms.GetInt32(), cancellationToken);
                }

                if (context.Attempt <= context.Payload.GetProperty("failures").GetInt32())
                {
                    throw new InvalidOperationException($"planned failure {context.Attempt}");
                }

                return "{\"ok\":true}";
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }
}
