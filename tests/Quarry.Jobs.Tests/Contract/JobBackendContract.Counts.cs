using System.Diagnostics;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Tests.Contract;

/// <summary>Per-status counts and the precision of stored times.</summary>
public abstract partial class JobBackendContract
{
    private static async Task AssertCountsAsync(IJobBackend backend, long submitted, long inProgress, long complete, long failed, long cancelled)
    {
        var counts = await backend.CountAsync(Ct);
        Assert.Equal(JobStatus.All.Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
        var actual = (counts[JobStatus.Submitted], counts[JobStatus.InProgress], counts[JobStatus.Complete], counts[JobStatus.Failed], counts[JobStatus.Cancelled]);
        Assert.Equal((submitted, inProgress, complete, failed, cancelled), actual);
    }

    [Fact]
    public async Task Counts_follow_every_transition()
    {
        var backend = await ClientAsync();
        var other = await ClientAsync();
        await AssertCountsAsync(backend, 0, 0, 0, 0, 0);

        var jobs = new List<JobRecord>();
        for (var i = 0; i < 5; i++)
        {
            jobs.Add(await SubmitOneAsync(backend));
        }

        await AssertCountsAsync(backend, 5, 0, 0, 0, 0);
        await backend.CancelAsync(jobs[^1].Id, Ct);
        await backend.CancelAsync(jobs[^1].Id, Ct); // a repeated cancel changes nothing
        await AssertCountsAsync(backend, 4, 0, 0, 0, 1);

        var first = await TakeOneAsync(backend);
        await AssertCountsAsync(other, 3, 1, 0, 0, 1);
        await backend.ReportAsync([new JobOutcome(first, OutcomeKind.Complete, Result: "{}")], Ct);
        await backend.ReportAsync([new JobOutcome(first, OutcomeKind.Fail, Error: "late")], Ct); // ignored, so not counted
        await AssertCountsAsync(backend, 3, 0, 1, 0, 1);

        var retried = await TakeOneAsync(backend);
        await AssertCountsAsync(backend, 2, 1, 1, 0, 1);
        await backend.ReportAsync([new JobOutcome(retried, OutcomeKind.Retry, Error: "again", NotBefore: DateTimeOffset.UtcNow)], Ct);
        await AssertCountsAsync(backend, 3, 0, 1, 0, 1);

        var failing = await TakeOneAsync(backend);
        await backend.ReportAsync([new JobOutcome(failing, OutcomeKind.Fail, Error: "boom")], Ct);
        await AssertCountsAsync(backend, 2, 0, 1, 1, 1);

        var released = await TakeOneAsync(backend);
        await AssertCountsAsync(backend, 1, 1, 1, 1, 1);
        await backend.ReportAsync([new JobOutcome(released, OutcomeKind.Release)], Ct);
        await AssertCountsAsync(other, 2, 0, 1, 1, 1);

        var running = await TakeOneAsync(backend);
        Assert.Equal(JobStatus.InProgress, (await backend.CancelAsync(running.Id, Ct))!.Status);
        await AssertCountsAsync(backend, 1, 1, 1, 1, 1);
        await backend.ReportAsync([new JobOutcome(running, OutcomeKind.Complete, Result: "{}")], Ct);
        await AssertCountsAsync(other, 1, 0, 2, 1, 1);
    }

    [Fact]
    public async Task Times_are_stored_to_the_microsecond_and_in_order()
    {
        var backend = await ClientAsync();
        var submitted = new List<JobRecord>();
        for (var i = 0; i < 5; i++)
        {
            // A few hundred microseconds apart: distinct only when stored finer than milliseconds.
            var gap = Stopwatch.StartNew();
            while (gap.Elapsed < TimeSpan.FromMicroseconds(300))
            {
                Thread.SpinWait(50);
            }

            submitted.Add(await SubmitOneAsync(backend));
        }

        var stored = new List<JobRecord>();
        foreach (var record in submitted)
        {
            stored.Add(await GetAsync(backend, record.Id));
        }

        Assert.Equal(submitted.Select(r => r.CreatedAt), stored.Select(r => r.CreatedAt));
        Assert.Equal(stored.Count, stored.Select(r => r.CreatedAt).Distinct().Count());
        Assert.Contains(stored, r => r.CreatedAt.UtcTicks % TimeSpan.TicksPerMillisecond != 0);

        foreach (var _ in stored)
        {
            var lease = await TakeOneAsync(backend);
            await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete, Result: "{}")], Ct);
        }

        foreach (var record in submitted)
        {
            var done = await GetAsync(backend, record.Id);
            Assert.True(done.StartedAt >= done.CreatedAt, $"started {done.StartedAt:O} before created {done.CreatedAt:O}");
            Assert.True(done.FinishedAt >= done.StartedAt, $"finished {done.FinishedAt:O} before started {done.StartedAt:O}");
            Assert.True(done.FinishedAt - done.CreatedAt >= TimeSpan.Zero);
        }
    }
}
