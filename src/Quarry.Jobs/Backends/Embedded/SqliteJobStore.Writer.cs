using Microsoft.Data.Sqlite;

namespace Quarry.Jobs.Backends.Embedded;

/// <summary>The writer loop: drains the queue and commits each drained batch as one transaction.</summary>
internal sealed partial class SqliteJobStore
{
    private async Task RunAsync()
    {
        var batch = new List<WriteOperation>(64);
        var queue = _queue.Reader;
        while (await queue.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && queue.TryRead(out var operation))
            {
                if (operation.CancellationToken.IsCancellationRequested)
                {
                    operation.Cancel();
                }
                else
                {
                    batch.Add(operation);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                Commit(batch);
            }
            catch (Exception e)
            {
                // The loop must survive anything, or every later caller would wait forever.
                LogBatchFailed(_logger, e, batch.Count, Path, e.Message);
                FailAll(batch, e);
            }

            batch.Clear();
        }
    }

    private void Commit(List<WriteOperation> batch)
    {
        try
        {
            _begin.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            FailAll(batch, e);
            return;
        }

        // A lone operation needs no savepoint: if it throws, the whole transaction is rolled back instead.
        var isolate = batch.Count > 1;
        var failedAlone = false;
        var wakes = false;
        foreach (var operation in batch)
        {
            if (isolate)
            {
                _savepoint.ExecuteNonQuery();
            }

            try
            {
                operation.Execute();
                wakes |= operation.WakesTakers;
                if (isolate)
                {
                    _releaseSavepoint.ExecuteNonQuery();
                }
            }
            catch (Exception) when (isolate)
            {
                _rollbackToSavepoint.ExecuteNonQuery();
                _releaseSavepoint.ExecuteNonQuery();
            }
            catch (Exception)
            {
                failedAlone = true;
            }
        }

        try
        {
            if (failedAlone)
            {
                _rollback.ExecuteNonQuery();
            }
            else
            {
                _commit.ExecuteNonQuery();
            }
        }
        catch (SqliteException e)
        {
            FailAll(batch, e);
            return;
        }

        foreach (var operation in batch)
        {
            operation.Publish();
        }

        if (wakes)
        {
            Wake.Pulse();
            _crossProcess.Notify();
        }
    }

    private void FailAll(List<WriteOperation> batch, Exception e)
    {
        TryRollback();
        var error = e is SqliteException ? Unavailable(Path, e) : e;
        foreach (var operation in batch)
        {
            operation.Fail(error);
        }
    }

    private void TryRollback()
    {
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // No transaction was open (it failed to start, or SQLite already rolled it back).
        }
    }
}
