using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Core.Hosting;

/// <summary>
/// Tracks requests in flight and, once shutdown begins, keeps the listener open while readiness
/// reports "draining", so load balancers stop sending traffic before connections close.
/// </summary>
public sealed partial class Drain : IHostedLifecycleService
{
    /// <summary>The meter of <c>quarry.http.in_flight</c>.</summary>
    public const string MeterName = "Quarry.Http";

    private readonly IOptions<ServerOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<Drain> _logger;
    private int _inFlight;
    private volatile bool _draining;

    /// <summary>
    /// Also publishes <see cref="InFlight"/> as <c>quarry.http.in_flight</c>, read when metrics are collected: the count is
    /// kept for the drain anyway, where ASP.NET Core's <c>http.server.active_requests</c> records two measurements a request.
    /// </summary>
    public Drain(IOptions<ServerOptions> options, TimeProvider clock, ILogger<Drain> logger, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _options = options;
        _clock = clock;
        _logger = logger;
        meters.Create(MeterName).CreateObservableUpDownCounter("quarry.http.in_flight", () => InFlight, "{request}",
            "HTTP requests being served, probes excluded.");
    }

    /// <summary>True from the moment shutdown begins.</summary>
    public bool IsDraining => _draining;

    /// <summary>Requests being served right now, probes excluded.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void Enter() => Interlocked.Increment(ref _inFlight);

    internal void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Shutdown began: report not ready, then wait for the drain delay and for in-flight work.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var settings = _options.Value;
        var started = _clock.GetTimestamp();
        LogDraining(_logger, InFlight, settings.DrainDelay.TotalSeconds);
        try
        {
            while (true)
            {
                var elapsed = _clock.GetElapsedTime(started);
                if (elapsed >= settings.ShutdownTimeout || (elapsed >= settings.DrainDelay && InFlight == 0))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), _clock, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out; Kestrel now closes what is left.
        }

        LogDrained(_logger, InFlight, _clock.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.DrainDraining, Level = LogLevel.Information,
        Message = "Shutdown requested: readiness now fails; draining {InFlight} in-flight request(s), minimum {DrainDelaySeconds} s")]
    private static partial void LogDraining(ILogger logger, int inFlight, double drainDelaySeconds);

    [LoggerMessage(EventId = EventIds.DrainDrained, Level = LogLevel.Information,
        Message = "Drain finished with {InFlight} request(s) still in flight after {ElapsedMs:F0} ms; closing listeners")]
    private static partial void LogDrained(ILogger logger, int inFlight, double elapsedMs);
}
