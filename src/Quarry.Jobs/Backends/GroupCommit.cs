using System.Threading.Channels;

namespace Quarry.Jobs.Backends;

/// <summary>
/// Group commit: callers that arrive while a write is under way are written together by the next one, in one
/// atomic write (one statement or one script), and each caller returns once the write holding its items committed
/// (and, when given, the follow-up of that group finished: it runs beside the next groups' writes, not before them).
/// </summary>
internal sealed class GroupCommit<T> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<T>, Task> _write;
    private readonly Func<IReadOnlyList<T>, Task>? _then;
    private readonly Func<Exception, bool> _isOwnFault;
    private readonly int _maxItems;
    private readonly Task _loop;

    /// <param name="write">Writes a group atomically: all of it or none.</param>
    /// <param name="isOwnFault">True for a failure one caller's items can cause (a repeated id); the group is then written caller by caller, so only that caller fails.</param>
    /// <param name="maxItems">Largest group.</param>
    /// <param name="then">Work on a group once it is written (such as publishing it); its callers return when it ends.</param>
    public GroupCommit(Func<IReadOnlyList<T>, Task> write, Func<Exception, bool> isOwnFault, int maxItems, Func<IReadOnlyList<T>, Task>? then = null)
    {
        _write = write;
        _then = then;
        _isOwnFault = isOwnFault;
        _maxItems = maxItems;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Completes when <paramref name="items"/> are committed; throws what their write threw.</summary>
    public Task WriteAsync(IReadOnlyList<T> items)
    {
        var pending = new Pending(items, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : throw new ObjectDisposedException(nameof(GroupCommit<T>));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task LoopAsync()
    {
        var group = new List<Pending>();
        var items = new List<T>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            items.Clear();
            while (items.Count < _maxItems && _queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
                items.AddRange(pending.Items);
            }

            try
            {
                var written = group.Count == 1 ? group[0].Items : items.ToArray();
                await _write(written).ConfigureAwait(false);
                Finish([.. group], written);
            }
            catch (Exception e) when (group.Count > 1 && _isOwnFault(e))
            {
                foreach (var pending in group)
                {
                    try
                    {
                        await _write(pending.Items).ConfigureAwait(false);
                        Finish([pending], pending.Items);
                    }
                    catch (Exception own)
                    {
                        pending.Done.TrySetException(own);
                    }
                }
            }
            catch (Exception e)
            {
                group.ForEach(p => p.Done.TrySetException(e));
            }
        }
    }

    private void Finish(Pending[] group, IReadOnlyList<T> written)
    {
        if (_then is null)
        {
            Array.ForEach(group, p => p.Done.TrySetResult());
            return;
        }

        _then(written).ContinueWith(
            (then, state) =>
            {
                foreach (var pending in (Pending[])state!)
                {
                    _ = then.Exception is { } e ? pending.Done.TrySetException(e.InnerExceptions) : pending.Done.TrySetResult();
                }
            },
            group, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private readonly record struct Pending(IReadOnlyList<T> Items, TaskCompletionSource Done);
}
