using System.Text.RegularExpressions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>
/// Runs each classification job as a Kubernetes <c>batch/v1</c> Job. Job and pod states come from caches fed by one
/// watch of this executor's Jobs and one watch of every pod in the cluster; pod logs give progress and accuracy.
/// </summary>
internal sealed partial class KubernetesExecutor : IClassificationExecutor, IHostedService, IDisposable
{
    private readonly KubernetesConnection _connection;
    private readonly VisionOptions _options;
    private readonly KubernetesTimings _timings;
    private readonly TimeProvider _time;
    private readonly ILogger<KubernetesExecutor> _logger;
    private readonly ApiHealth _health = new();
    private readonly ClusterCache _cache = new();
    private readonly SemaphoreSlim _logSignal = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _loops = [];
    private int _disposed;

    public KubernetesExecutor(
        KubernetesConnection connection, IOptions<VisionOptions> options, KubernetesTimings timings, TimeProvider time,
        ILogger<KubernetesExecutor> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _options = options.Value;
        _timings = timings;
        _time = time;
        _logger = logger;
        _cache.LogWanted += WakeLogReader;
        if (connection.Error is not null)
        {
            _health.Failed(connection.Error);
        }
    }

    public string Name => "kubernetes";

    public string? Unavailable => _health.Reason;

    public IReadOnlyList<PodInfo> Pods() => _cache.Pods();

    public async Task<ClassificationJob> SubmitAsync(Tier tier, string dataset, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        if (!DatasetName().IsMatch(dataset))
        {
            throw new ArgumentException($"A dataset name is lowercase letters, digits and '-' (was '{dataset}').", nameof(dataset));
        }

        var client = _connection.Client ?? throw new ExecutorUnavailableException(_connection.Error ?? "No Kubernetes client.");
        var job = JobManifest.Build(tier, dataset, _options);
        V1Job created;
        try
        {
            created = await client.BatchV1.CreateNamespacedJobAsync(job, job.Namespace(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            var reason = ApiFailure.Describe(_connection.Host, e);
            if (ApiFailure.MeansUnavailable(e))
            {
                _health.Failed(reason);
            }

            LogSubmitFailed(_logger, Tiers.Name(tier), dataset, reason);
            throw new ExecutorUnavailableException(reason, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own request timeout, not the caller giving up.
            var reason = ApiFailure.Describe(_connection.Host, e);
            _health.Failed(reason);
            LogSubmitFailed(_logger, Tiers.Name(tier), dataset, reason);
            throw new ExecutorUnavailableException(reason, e);
        }

        _health.Healthy();
        LogSubmitted(_logger, created.Namespace(), created.Name(), created.Uid());
        // As created: the watches report what happens next.
        return _cache.Created(created) with { Status = PodPhase.Pending, Progress = null, Accuracy = null, Error = null };
    }

    public Task<ClassificationJob?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_cache.Job(id));

    public Task<IReadOnlyList<ClassificationJob>> ListAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_cache.Jobs(limit));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_connection.Client is not { } client)
        {
            LogNoClient(_logger, _connection.Error ?? "");
            return Task.CompletedTask;
        }

        LogStarting(_logger, _connection.Host);
        var stopping = _stopping.Token;
        var timeout = _timings.WatchTimeoutSeconds;
        var pods = new ResourceWatch<V1Pod, V1PodList>(
            "pods in all namespaces",
            ct => client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct),
            (version, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
            _cache.PodSink, _health, _connection.Host, _timings, _time, _logger);
        var jobs = new ResourceWatch<V1Job, V1JobList>(
            "classification jobs",
            ct => client.BatchV1.ListJobForAllNamespacesAsync(labelSelector: JobManifest.Selector, cancellationToken: ct),
            (version, onError, ct) => client.BatchV1.WatchListJobForAllNamespacesAsync(
                allowWatchBookmarks: true, labelSelector: JobManifest.Selector, resourceVersion: version, timeoutSeconds: timeout,
                onError: onError, cancellationToken: ct),
            _cache.JobSink, _health, _connection.Host, _timings, _time, _logger);
        _loops =
        [
            Task.Run(() => pods.RunAsync(stopping), CancellationToken.None),
            Task.Run(() => jobs.RunAsync(stopping), CancellationToken.None),
            Task.Run(() => ReadLogsAsync(client, stopping), CancellationToken.None),
        ];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // The container disposes it once as itself and once as IClassificationExecutor.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _stopping.Dispose();
        _logSignal.Dispose();
        _connection.Dispose();
    }

    private void WakeLogReader()
    {
        try
        {
            if (_logSignal.CurrentCount == 0)
            {
                _logSignal.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or shutting down.
        }
    }

    /// <summary>Reads running pods' logs every few seconds for progress, and each finished pod's log once for its accuracy.</summary>
    private async Task ReadLogsAsync(IKubernetes client, CancellationToken stopping)
    {
        var lastProgress = new Dictionary<string, long>(StringComparer.Ordinal);
        while (!stopping.IsCancellationRequested)
        {
            using (var interval = new CancellationTokenSource(_timings.ProgressInterval, _time))
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping, interval.Token))
            {
                try
                {
                    await _logSignal.WaitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // The interval passed: read the running pods' logs again.
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var now = _time.GetTimestamp();
            var wanted = _cache.LogsWanted();
            foreach (var gone in lastProgress.Keys.Where(id => !wanted.Any(r => r.JobId == id)).ToList())
            {
                lastProgress.Remove(gone);
            }

            foreach (var read in wanted)
            {
                if (!read.Finished && lastProgress.TryGetValue(read.JobId, out var at) && _time.GetElapsedTime(at, now) < _timings.ProgressInterval)
                {
                    continue;
                }

                lastProgress[read.JobId] = now;
                try
                {
                    using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(
                        read.Pod, read.Namespace, container: JobManifest.ContainerName, limitBytes: 4 << 20, cancellationToken: stopping)
                        .ConfigureAwait(false);
                    using var reader = new StreamReader(stream);
                    _cache.LogRead(read, await reader.ReadToEndAsync(stopping).ConfigureAwait(false));
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpOperationException e) when (e.Response?.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.BadRequest)
                {
                    _cache.LogUnavailable(read);
                    LogLogFailed(_logger, read.Namespace, read.Pod, ApiFailure.Describe(_connection.Host, e));
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
                {
                    LogLogFailed(_logger, read.Namespace, read.Pod, ApiFailure.Describe(_connection.Host, e));
                }
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DatasetName();

    [LoggerMessage(EventId = EventIds.KubernetesExecutorStarting, Level = LogLevel.Information, Message = "Kubernetes executor watching jobs and pods at {Host}")]
    private static partial void LogStarting(ILogger logger, string host);

    [LoggerMessage(EventId = EventIds.KubernetesExecutorNoClient, Level = LogLevel.Error, Message = "Kubernetes executor has no client: {Reason}")]
    private static partial void LogNoClient(ILogger logger, string reason);

    [LoggerMessage(EventId = EventIds.KubernetesExecutorSubmitted, Level = LogLevel.Information, Message = "Created Job {Namespace}/{Name} ({Uid})")]
    private static partial void LogSubmitted(ILogger logger, string @namespace, string name, string uid);

    [LoggerMessage(EventId = EventIds.KubernetesExecutorSubmitFailed, Level = LogLevel.Warning, Message = "Creating a {Tier} job on {Dataset} failed: {Reason}")]
    private static partial void LogSubmitFailed(ILogger logger, string tier, string dataset, string reason);

    [LoggerMessage(EventId = EventIds.KubernetesExecutorLogFailed, Level = LogLevel.Debug, Message = "Reading the log of pod {Namespace}/{Pod} failed: {Reason}")]
    private static partial void LogLogFailed(ILogger logger, string @namespace, string pod, string reason);
}
