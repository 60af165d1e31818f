using System.Collections.Concurrent;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Redis;
using Quarry.Jobs.Model;
using Quarry.TestSupport;
using StackExchange.Redis;

namespace Quarry.Jobs.Tests.Redis;

/// <summary>A primary, a replica and a redis-sentinel; the primary is killed while two workers drain the queue.</summary>
public sealed class RedisSentinelTests : IAsyncLifetime
{
    private const int Jobs = 2000;
    private readonly JobBackendOptions _options = new() { Prefix = "s" + Guid.NewGuid().ToString("N")[..8], LeaseDuration = TimeSpan.FromSeconds(2) };
    private readonly List<IAsyncDisposable> _owned = [];
    private RedisServer _primary = null!;
    private RedisServer _replica = null!;
    private RedisSentinel _sentinel = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _primary = await RedisServer.StartAsync();
        _replica = await RedisServer.StartAsync("--replicaof", _primary.Host, _primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _sentinel = new RedisSentinel(_primary.Port);
        await _sentinel.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _sentinel.DisposeAsync();
        await _replica.DisposeAsync();
        await _primary.DisposeAsync();
    }

    [Fact]
    public async Task Killing_the_primary_while_jobs_drain_loses_none()
    {
        await Wait.UntilAsync(async () => await _sentinel.ReplicaCountAsync() >= 1, TimeSpan.FromSeconds(30), "the sentinel finds the replica");
        var producer = Backend();
        await producer.InitializeAsync(Ct);
        var ids = new List<Guid>();
        for (var batch = 0; batch < Jobs / 100; batch++)
        {
            var jobs = Enumerable.Range(0, 100).Select(_ => new NewJob(Guid.NewGuid(), "noop", "{}")).ToArray();
            await producer.SubmitAsync(jobs, Ct);
            ids.AddRange(jobs.Select(j => j.Id));
        }

        // Replication is asynchronous: a job is safe from a failover once the replica has it.
        await using (var raw = await ConnectionMultiplexer.ConnectAsync($"{_primary.Host}:{_primary.Port}"))
        {
            Assert.Equal(1L, (long)await raw.GetDatabase().ExecuteAsync("WAIT", 1, 10_000));
        }

        var runs = new ConcurrentDictionary<Guid, int>();
        var completed = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var workers = new[] { "sentinel-one", "sentinel-two" }.Select(name => DrainAsync(Backend(), name, runs, () => Interlocked.Increment(ref completed), stop.Token)).ToArray();

        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref completed) >= Jobs / 4), TimeSpan.FromSeconds(60), "a quarter of the jobs complete");
        var oldPrimary = _primary.Port;
        await _primary.StopAsync(); // SIGKILL
        await Wait.UntilAsync(async () => await _sentinel.PrimaryPortAsync() is { } port && port != oldPrimary, TimeSpan.FromSeconds(60), "the sentinel promotes the replica");

        var observer = Backend();
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    return (await observer.CountAsync(Ct))[JobStatus.Complete] == Jobs;
                }
                catch (JobBackendUnavailableException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(90),
            "every job completes on the new primary");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Complete, (await observer.GetAsync(id, Ct))?.Status);
            Assert.True(runs.ContainsKey(id), $"job {id} never ran");
        }

        var counts = await observer.CountAsync(Ct);
        Assert.Equal((0L, 0L), (counts[JobStatus.Submitted], counts[JobStatus.InProgress]));
    }

    private static async Task DrainAsync(RedisJobBackend backend, string worker, ConcurrentDictionary<Guid, int> runs, Func<int> completed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var leases = await backend.TakeAsync(worker, 16, TimeSpan.FromMilliseconds(200), stop);
                foreach (var lease in leases)
                {
                    runs.AddOrUpdate(lease.Id, 1, (_, n) => n + 1);
                }

                await backend.ReportAsync([.. leases.Select(l => new JobOutcome(l, OutcomeKind.Complete))], stop);
                for (var i = 0; i < leases.Count; i++)
                {
                    completed();
                }
            }
            catch (JobBackendUnavailableException)
            {
                // The primary is gone; the client follows the sentinel to the new one. Retry shortly.
                await Task.Delay(50, CancellationToken.None);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private RedisJobBackend Backend()
    {
        var backend = new RedisJobBackend(_sentinel.ConnectionString, _options);
        _owned.Add(backend);
        return backend;
    }
}
