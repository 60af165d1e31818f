using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Core.Hosting;
using Quarry.Jobs;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Handlers;
using Quarry.Jobs.Model;
using Quarry.Jobs.Workers;
using Quarry.Vision.Model;
using Quarry.Vision.Training;

namespace Quarry.Vision.Service.Local;

/// <summary>
/// Runs classification jobs as child processes of this server. Each tier is a queue of the job system (same backend,
/// its own prefix) with its own worker: the free tier's runs 2 jobs at a time, the premium tier's up to a safety cap,
/// so accepted jobs are durable, survive a restart, and wait their turn as Pending.
/// </summary>
internal sealed partial class LocalExecutor : IClassificationExecutor, IHostedService, IAsyncDisposable
{
    private const int RecentJobs = 200;
    private readonly Dictionary<Tier, (IJobBackend Backend, JobWorker Worker)> _tiers = [];
    private readonly LocalRunSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger<LocalExecutor> _logger;
    private readonly CancellationTokenSource _stop = new();
    private volatile IReadOnlyList<PodInfo> _pods = [];
    private Task? _refresh;

    public LocalExecutor(
        IOptions<JobsOptions> jobSettings, IOptions<ServerOptions> server, IOptions<VisionOptions> options, TimeProvider clock,
        ILoggerFactory loggers, IOptions<HostOptions> host)
    {
        _clock = clock;
        _logger = loggers.CreateLogger<LocalExecutor>();
        var cgroup = CpuCgroup.Detect($"quarry-classify-{Environment.ProcessId}");
        _settings = new LocalRunSettings(server.Value.DataDir, options.Value, cgroup);
        var handlers = new JobHandlers([new ClassifyProcessHandler(_settings, loggers.CreateLogger<ClassifyProcessHandler>())]);
        foreach (var (tier, concurrency) in new[] { (Tier.Free, options.Value.FreeConcurrency), (Tier.Premium, options.Value.PremiumConcurrency) })
        {
            var jobs = jobSettings.Value.WithPrefix($"{jobSettings.Value.Prefix}_classify_{Tiers.Name(tier)}");
            var backend = JobBackendFactory.Create(jobs, _settings.DataDir, clock);
            var worker = new JobWorker(
                backend, handlers,
                new WorkerSettings($"{Environment.MachineName}-{Tiers.Name(tier)}", concurrency, jobs.LeaseDuration, jobs.MaxAttempts, jobs.RetryDelay,
                    host.Value.ShutdownTimeout * 0.8),
                clock, loggers.CreateLogger<JobWorker>());
            _tiers[tier] = (backend, worker);
        }

        if (!cgroup.Available)
        {
            LogNoCgroup(_logger, cgroup.Reason ?? "unknown");
        }
    }

    public string Name => "local";

    public string? Unavailable { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (backend, worker) in _tiers.Values)
        {
            await backend.InitializeAsync(cancellationToken);
            await worker.StartAsync(cancellationToken);
        }

        await RefreshAsync(cancellationToken);
        _refresh = RefreshLoopAsync(_stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        foreach (var (_, worker) in _tiers.Values)
        {
            await worker.StopAsync(cancellationToken);
        }

        if (_refresh is not null)
        {
            await _refresh;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (backend, worker) in _tiers.Values)
        {
            worker.Dispose();
            await backend.DisposeAsync();
        }

        _stop.Dispose();
    }

    public async Task<ClassificationJob> SubmitAsync(Tier tier, string dataset, CancellationToken cancellationToken)
    {
        var payload = new ClassifyPayload(Tiers.Name(tier), ModelNames.Of(Tiers.Model(tier)), dataset, Tiers.GenerateName(tier, dataset), Tiers.Namespace(tier));
        var json = JsonSerializer.Serialize(payload, LocalJson.Default.ClassifyPayload);
        try
        {
            var records = await _tiers[tier].Backend.SubmitAsync([new NewJob(Guid.CreateVersion7(), ClassifyProcessHandler.JobType, json)], cancellationToken);
            await RefreshAsync(cancellationToken);
            return View(records[0]);
        }
        catch (JobBackendUnavailableException e)
        {
            throw new ExecutorUnavailableException($"The job store is unreachable: {e.Message}", e);
        }
    }

    public async Task<ClassificationJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return null;
        }

        foreach (var (backend, _) in _tiers.Values)
        {
            if (await backend.GetAsync(guid, cancellationToken) is { } record)
            {
                return View(record);
            }
        }

        return null;
    }

    public async Task<IReadOnlyList<ClassificationJob>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var all = new List<ClassificationJob>();
        foreach (var (backend, _) in _tiers.Values)
        {
            var page = await backend.ListAsync(new JobQuery(null, Math.Clamp(limit, 1, 500), null), cancellationToken);
            all.AddRange(page.Jobs.Select(r => View(r, withCurve: false)));
        }

        return [.. all.OrderByDescending(j => j.CreatedAt).Take(limit)];
    }

    public IReadOnlyList<PodInfo> Pods() => _pods;

    private async Task RefreshLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Rebuilds the pod list /config answers from, so a request never waits for the store.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pods = new List<PodInfo> { new(Environment.MachineName, "127.0.0.1", Tiers.PremiumNamespace, $"quarry-serve-{Environment.ProcessId}", PodPhase.Running) };
            foreach (var (backend, _) in _tiers.Values)
            {
                var page = await backend.ListAsync(new JobQuery(null, RecentJobs, null), cancellationToken);
                pods.AddRange(page.Jobs.Select(r => Pod(r)));
            }

            _pods = pods;
            Unavailable = null;
        }
        catch (JobBackendUnavailableException e)
        {
            Unavailable = $"The job store is unreachable: {e.Message}";
        }
    }

    private static PodInfo Pod(JobRecord record)
    {
        var payload = JsonSerializer.Deserialize(record.Payload, LocalJson.Default.ClassifyPayload)!;
        return new PodInfo(Environment.MachineName, "127.0.0.1", payload.Namespace, payload.Name, Phase(record.Status));
    }

    private ClassificationJob View(JobRecord record, bool withCurve = true)
    {
        var payload = JsonSerializer.Deserialize(record.Payload, LocalJson.Default.ClassifyPayload)!;
        var result = record.Result is { } text ? JsonSerializer.Deserialize(text, LocalJson.Default.ClassifyResult) : null;
        var progress = ReadProgress(record.Id);
        if (progress is not null && !withCurve)
        {
            progress = progress with { LossCurve = [] };
        }

        return new ClassificationJob(
            record.Id.ToString("D"), payload.Tier, payload.Model, payload.Dataset, payload.Name, payload.Namespace, Phase(record.Status), record.CreatedAt,
            record.Status == JobStatus.Submitted ? null : progress, result?.Accuracy, record.Error);
    }

    private ClassifyProgress? ReadProgress(Guid id)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(_settings.RunFolder(id), ClassifyJob.ProgressFileName));
            return JsonSerializer.Deserialize(text, LocalJson.Default.ClassifyProgress);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Phase(string status) => status switch
    {
        JobStatus.Submitted => PodPhase.Pending,
        JobStatus.InProgress => PodPhase.Running,
        JobStatus.Complete => PodPhase.Succeeded,
        JobStatus.Failed or JobStatus.Cancelled => PodPhase.Failed,
        _ => PodPhase.Unknown,
    };

    [LoggerMessage(EventId = EventIds.LocalExecutorNoCgroup, Level = LogLevel.Warning, Message = "Classification jobs run without a CPU limit, at low priority with one thread each: {Reason}")]
    private static partial void LogNoCgroup(ILogger logger, string reason);
}
