using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;
using Quarry.Jobs.Api;
using Quarry.Jobs.Backends;
using Quarry.Jobs.Handlers;
using Quarry.Jobs.Telemetry;
using Quarry.Jobs.Workers;

namespace Quarry.Jobs;

/// <summary>Registers the job system: backend, handlers, service, readiness and (optionally) in-process workers.</summary>
public static class JobServices
{
    /// <summary>Adds the backend named by <c>Quarry:Jobs</c>, the built-in handlers and the job service.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(JobService)))
        {
            return services;
        }

        services.AddJobSettings();
        services.TryAddSingleton<IJobBackend>(sp => JobBackendFactory.Create(
            sp.GetRequiredService<IOptions<JobsOptions>>().Value,
            sp.GetRequiredService<IOptions<ServerOptions>>().Value.DataDir,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IJobHandler, RangeJobHandler>();
        services.AddSingleton<IJobHandler, NoopJobHandler>();
        services.AddSingleton<IJobHandler, SleepJobHandler>();
        services.TryAddSingleton<JobHandlers>();
        services.TryAddSingleton<JobCompletions>();
        services.AddMetrics();
        services.TryAddSingleton<JobMetrics>();
        services.TryAddSingleton<JobService>();
        services.AddHealthChecks().AddCheck<JobBackendHealthCheck>("jobs");
        services.AddUiLink(new UiLink("Jobs", "/jobs.html", "Submit background jobs and watch workers run them.", 40));
        return services;
    }

    /// <summary>The <see cref="JobsOptions"/> settings and the basics every process shares, for a capability that keeps its own queues.</summary>
    public static IServiceCollection AddJobSettings(this IServiceCollection services) =>
        services.AddQuarryBasics().AddSettings<JobsOptions, JobsOptionsValidator>(JobsOptions.Section);

    /// <summary>Runs jobs in this process: <paramref name="concurrency"/> at a time, or the configured serve default when null.</summary>
    public static IServiceCollection AddJobWorker(this IServiceCollection services, string? workerId = null, int? concurrency = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(JobWorker)))
        {
            return services;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var host = sp.GetRequiredService<IOptions<HostOptions>>().Value;
            var slots = concurrency ?? options.ServeWorkers ?? (options.Backend == JobBackendKind.Embedded ? 4 : 0);
            return new WorkerSettings(WorkerIdentity.Resolve(workerId), slots, options.LeaseDuration, options.MaxAttempts, options.RetryDelay,
                host.ShutdownTimeout * 0.8);
        });
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        return services;
    }

    /// <summary>
    /// Adds the queue-depth and workers-seen gauges, read from the job store while something scrapes. For the server that
    /// owns the API; workers leave them out so N workers do not count the same store N times.
    /// </summary>
    public static IServiceCollection AddJobGauges(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<JobGauges>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobGaugesActivation>());
        return services;
    }

    /// <summary>
    /// What a server offering jobs needs: the job service, in-process workers (as many as <c>Quarry:Jobs:ServeWorkers</c>
    /// says, four on the embedded backend) and the queue gauges. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddJobsServer(this IServiceCollection services) => services.AddJobs().AddJobWorker().AddJobGauges();

    /// <summary>Maps the <c>/jobs</c> API, once however many capabilities ask for it.</summary>
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder endpoints) => endpoints.MapOnce("jobs", e => e.MapJobsApi());

    /// <summary>Creates the gauges when the host starts (nothing else asks for them).</summary>
    private sealed class JobGaugesActivation : IHostedService
    {
        public JobGaugesActivation(JobGauges gauges) => ArgumentNullException.ThrowIfNull(gauges);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class JobBackendHealthCheck(IJobBackend backend) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var problem = await backend.CheckAsync(cancellationToken);
            return problem is null ? HealthCheckResult.Healthy($"{backend.Name} backend reachable") : HealthCheckResult.Unhealthy(problem);
        }
    }
}
