namespace Quarry.Redis;

/// <summary>A command waiting for its reply; completed by the reader, a timeout, a failure or the caller's token.</summary>
internal sealed class PendingCommand : TaskCompletionSource<RedisReply>
{
    private CancellationTokenRegistration _cancellation;

    public PendingCommand(string command, TimeSpan timeout)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Command = command;
        Timeout = timeout;
    }

    public string Command { get; }

    /// <summary>How long to wait for the reply once queued on a connection; infinite waits forever.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Timestamp (of the connection's clock) after which the missing reply counts as a timeout.</summary>
    public long Deadline { get; set; }

    /// <summary>Lets the caller stop waiting; the reply, if it comes, is still read and dropped.</summary>
    public void ObserveCancellation(CancellationToken cancellationToken)
    {
        // Registered once, whether the command waited in the reconnect backlog first or not.
        if (cancellationToken.CanBeCanceled && _cancellation == default)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((PendingCommand)state!).TrySetCanceled(token), this);
        }
    }

    public void Complete(RedisReply reply)
    {
        _cancellation.Unregister();
        if (reply.Kind == RedisReplyKind.Error)
        {
            TrySetException(new RedisServerException(reply.ErrorMessage));
        }
        else
        {
            TrySetResult(reply);
        }
    }

    public void Fail(Exception error)
    {
        _cancellation.Unregister();
        if (error is OperationCanceledException canceled)
        {
            TrySetCanceled(canceled.CancellationToken);
        }
        else
        {
            TrySetException(error);
        }
    }
}
