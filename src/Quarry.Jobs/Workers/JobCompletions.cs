using System.Collections.Concurrent;

namespace Quarry.Jobs.Workers;

/// <summary>
/// Wakes callers waiting for a job as soon as a worker in this process has recorded its final outcome, so
/// request/response style jobs (a prediction) do not pay for polling. Waiters in other processes poll instead.
/// </summary>
public sealed class JobCompletions
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>A task that completes when this process records a final outcome for <paramref name="id"/>.</summary>
    public Task WhenRecorded(Guid id) => _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Stops tracking <paramref name="id"/> (the waiter is done).</summary>
    public void Forget(Guid id) => _waiters.TryRemove(id, out _);

    /// <summary>Called after outcomes are stored.</summary>
    public void Recorded(IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
