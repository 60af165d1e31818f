using Microsoft.Data.Sqlite;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>A unit of work for the writer loop: runs inside a batch transaction, answers its caller after the commit.</summary>
internal abstract class WriteOperation(bool wakesTakers, CancellationToken cancellationToken)
{
    /// <summary>True when committing it may make a job runnable, so waiting takers should look again.</summary>
    public bool WakesTakers { get; } = wakesTakers;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Runs the statements; a throw rolls back this operation only.</summary>
    public abstract void Execute();

    /// <summary>Hands the caller its result, or the error <see cref="Execute"/> recorded, once the batch committed.</summary>
    public abstract void Publish();

    public abstract void Fail(Exception error);

    public abstract void Cancel();
}

/// <summary>A write returning <typeparamref name="T"/>.</summary>
internal sealed class WriteOperation<T>(Func<T> work, bool wakesTakers, CancellationToken cancellationToken)
    : WriteOperation(wakesTakers, cancellationToken)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override void Execute()
    {
        try
        {
            _result = work();
        }
        catch (Exception e)
        {
            _error = e is SqliteException
                ? new JobBackendUnavailableException($"The embedded job database refused a write: {e.Message}", e)
                : e;
            throw;
        }
    }

    public override void Publish()
    {
        if (_error is not null)
        {
            _completion.TrySetException(_error);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(_error ?? error);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}
