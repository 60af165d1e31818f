using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Hosting;

namespace Quarry.Core.Telemetry;

/// <summary>
/// <c>/dashboard</c>: the shell of the operations page. Its script (<c>/js/dashboard.js</c>) scrapes this server's own
/// <c>/metrics</c> every few seconds and draws the charts, so it needs nothing but the server.
/// </summary>
public static class DashboardPage
{
    /// <summary>Where the page is served.</summary>
    public const string Path = "/dashboard";

    private const string Body = """
        <p class="muted" id="dash-status" aria-live="polite">Reading <a href="/metrics">/metrics</a>…</p>
        <section class="dash-grid">
          <figure class="dash-card"><figcaption>Requests per second, by route</figcaption><div class="chart" id="chart-rps" data-unit="/s"></div></figure>
          <figure class="dash-card"><figcaption>Latency p50 and p99, by route</figcaption><div class="chart" id="chart-latency" data-unit="ms"></div></figure>
          <figure class="dash-card"><figcaption>Jobs per second (submitted, completed, failed)</figcaption><div class="chart" id="chart-jobs" data-unit="/s"></div></figure>
          <figure class="dash-card"><figcaption>Queue depth (waiting, running, failed)</figcaption><div class="chart" id="chart-queue" data-unit=""></div></figure>
          <figure class="dash-card"><figcaption>Workers seen in the last minute</figcaption><div class="chart" id="chart-workers" data-unit=""></div></figure>
          <figure class="dash-card"><figcaption>Recommendations per second, by service and source</figcaption><div class="chart" id="chart-recs" data-unit="/s"></div></figure>
        </section>
        <section>
          <h2>Live models</h2>
          <table class="dash-table" id="models"><thead><tr><th>model</th><th>version</th><th>published (UTC)</th><th>age</th><th>swaps</th></tr></thead><tbody></tbody></table>
        </section>
        <section>
          <h2>Recent training runs</h2>
          <table class="dash-table" id="runs"><thead><tr><th>run</th><th>tier</th><th>dataset</th><th>status</th><th>accuracy</th><th>started (UTC)</th></tr></thead><tbody></tbody></table>
        </section>
        <script src="/js/dashboard.js" defer></script>
        """;

    /// <summary>Maps the page; it is left out of the OpenAPI description.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Path, () => HtmlPage.Content("Dashboard", "Operations dashboard", Body)).ExcludeFromDescription();
        return endpoints;
    }
}
