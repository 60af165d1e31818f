using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Quarry.Playground;

/// <summary>
/// The server's evaluator: at start either a local <see cref="SandboxPool"/> (which refuses to start without isolation) or,
/// with <see cref="PlaygroundOptions.EvaluatorUrl"/>, a <see cref="RemoteEvaluator"/>. Disposed with the container, after the
/// server has drained its requests.
/// </summary>
internal sealed partial class PlaygroundEvaluator(IOptions<PlaygroundOptions> options, ILoggerFactory loggers, PlaygroundMetrics metrics)
    : IPythonEvaluator, IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<PlaygroundEvaluator>();
    private IPythonEvaluator? _inner;
    private SandboxPool? _pool;
    private HttpClient? _http;

    public PlaygroundOptions Options => options.Value;

    /// <summary>Runs in progress in the local pool (0 when forwarding), for tests that must know the sandboxes are busy.</summary>
    internal int Running => _pool?.Running ?? 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.EvaluatorUrl is { } url)
        {
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"Quarry__Playground__EvaluatorUrl must be an absolute http(s) address, not '{url}'.");
            }

            var baseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
            _http = new HttpClient { BaseAddress = baseAddress, Timeout = settings.QueueTimeout + settings.Limits.Wall + TimeSpan.FromSeconds(10) };
            _inner = new RemoteEvaluator(_http);
            LogRemote(_logger, baseAddress);
            return Task.CompletedTask;
        }

        try
        {
            _pool = new SandboxPool(settings, loggers.CreateLogger<SandboxPool>(), metrics);
            _inner = _pool;
            metrics.ObserveWarm(() => _pool.ReadyCount);
        }
        catch (SandboxUnavailableException e) when (!settings.Required)
        {
            // Asked for by default only: the other services run, and every playground request is told why it cannot.
            _inner = new Unavailable(e.Message);
            LogUnavailable(_logger, e.Message);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<EvalResult> EvaluateAsync(string code, CancellationToken ct)
    {
        try
        {
            var result = await (_inner ?? throw EvaluatorException.Busy("The Python evaluator is still starting.", TimeSpan.FromSeconds(1)))
                .EvaluateAsync(code, ct).ConfigureAwait(false);
            metrics.Ran(result);
            return result;
        }
        catch (EvaluatorException)
        {
            metrics.Refused();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync().ConfigureAwait(false);
        }

        _http?.Dispose();
    }

    [LoggerMessage(EventId = EventIds.PlaygroundEvaluatorUnavailable, Level = LogLevel.Critical, Message = "The Python playground is NOT running; /py/eval and /python answer 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    /// <summary>Answers every run with the reason the playground could not start.</summary>
    private sealed class Unavailable(string reason) : IPythonEvaluator
    {
        public Task<EvalResult> EvaluateAsync(string code, CancellationToken ct) =>
            throw new EvaluatorException(503, "Python playground unavailable", reason);
    }

    [LoggerMessage(EventId = EventIds.PlaygroundEvaluatorRemote, Level = LogLevel.Information, Message = "Python runs are forwarded to the evaluator at {Address}")]
    private static partial void LogRemote(ILogger logger, Uri address);
}
