using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>Receives what one list-and-watch sees: a whole list after each (re)list, then each change.</summary>
internal interface IWatchSink<in T>
{
    void Replace(IReadOnlyCollection<T> items);

    void Apply(WatchEventType type, T item);
}

/// <summary>
/// Keeps a cache in step with the API server: lists once, then watches from the list's resourceVersion, watches again
/// from the last version seen when a watch ends, lists again when the version has expired (410 Gone), and backs off
/// when calls fail. Every outcome is reported to <see cref="ApiHealth"/>.
/// </summary>
internal sealed partial class ResourceWatch<T, TList>(
    string what,
    Func<CancellationToken, Task<TList>> list,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
    IWatchSink<T> sink,
    ApiHealth health,
    string host,
    KubernetesTimings timings,
    TimeProvider time,
    ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    /// <summary>Runs until <paramref name="stopping"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var backoff = timings.MinBackoff;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var version = await ListAsync(stopping).ConfigureAwait(false);
                backoff = timings.MinBackoff;
                while (version is not null)
                {
                    var started = time.GetTimestamp();
                    var next = await WatchAsync(version, stopping).ConfigureAwait(false);
                    if (next == version && time.GetElapsedTime(started) < timings.MinBackoff)
                    {
                        // A watch that ended at once with nothing new: do not spin against the server.
                        await Task.Delay(timings.MinBackoff, time, stopping).ConfigureAwait(false);
                    }

                    version = next;
                }

                LogRelist(logger, what);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                var reason = ApiFailure.Describe(host, e);
                health.Failed(reason);
                LogWatchFailed(logger, what, reason, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, timings.MaxBackoff.Ticks));
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken stopping)
    {
        var items = await list(stopping).ConfigureAwait(false);
        sink.Replace(items.Items is null ? [] : [.. items.Items]);
        health.Healthy();
        return items.Metadata?.ResourceVersion ?? "";
    }

    /// <summary>One watch; returns the version to watch from next, or null when the cache must be listed again.</summary>
    private async Task<string?> WatchAsync(string version, CancellationToken stopping)
    {
        Exception? error = null;
        try
        {
            await foreach (var (type, item) in watch(version, e => error ??= e, stopping).ConfigureAwait(false))
            {
                health.Healthy();
                version = item.Metadata?.ResourceVersion ?? version;
                if (type != WatchEventType.Bookmark)
                {
                    sink.Apply(type, item);
                }
            }
        }
        catch (Exception e) when (EndedEarly(e))
        {
            error = null;
        }

        if (error is null || EndedEarly(error))
        {
            // The watch ended (its timeout, or the server closed it before a first event): watch again from the last version.
            return version;
        }

        if (error is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
        {
            return null;
        }

        throw error;
    }

    /// <summary>The client reads a watch's first line before returning; a stream closed before any line surfaces as end-of-stream, possibly wrapped.</summary>
    private static bool EndedEarly(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is EndOfStreamException)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = EventIds.ResourceWatchRelist, Level = LogLevel.Debug, Message = "Listing {What} again: the watch's resource version expired")]
    private static partial void LogRelist(ILogger logger, string what);

    [LoggerMessage(EventId = EventIds.ResourceWatchWatchFailed, Level = LogLevel.Warning, Message = "Watching {What} failed: {Reason}; retrying in {Seconds} s")]
    private static partial void LogWatchFailed(ILogger logger, string what, string reason, double seconds);
}
