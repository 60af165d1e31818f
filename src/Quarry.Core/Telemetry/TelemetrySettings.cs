using System.Globalization;
using Microsoft.Extensions.Configuration;
using Quarry.Core.Settings;

namespace Quarry.Core.Telemetry;

/// <summary>What a process exports: <c>/metrics</c> for Prometheus, and OTLP when the standard OTEL_* variables name a collector.</summary>
/// <param name="Prometheus">Serve <c>/metrics</c> (<c>Quarry__Telemetry__Metrics</c>, on by default).</param>
/// <param name="OtlpMetrics">Push metrics over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>).</param>
/// <param name="OtlpTraces">Push traces over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>).</param>
public sealed record TelemetrySettings(bool Prometheus, bool OtlpMetrics, bool OtlpTraces)
{
    /// <summary>Configuration key of the <c>/metrics</c> switch.</summary>
    public const string MetricsKey = "Quarry:Telemetry:Metrics";

    /// <summary>True when anything at all is collected.</summary>
    public bool AnyMetrics => Prometheus || OtlpMetrics;

    /// <summary>Reads the switch and the OTEL_* variables; a switch that is not true or false throws, naming the variable.</summary>
    public static TelemetrySettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var prometheus = true;
        if (configuration[MetricsKey] is { } text && !bool.TryParse(text.Trim(), out prometheus))
        {
            throw new BadSettingsException([string.Create(CultureInfo.InvariantCulture,
                $"Quarry__Telemetry__Metrics must be true or false (was '{text}')")]);
        }

        var disabled = bool.TryParse(configuration["OTEL_SDK_DISABLED"], out var off) && off;
        var common = Set(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT");
        return new TelemetrySettings(
            prometheus,
            !disabled && (common || Set(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")),
            !disabled && (common || Set(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")));
    }

    private static bool Set(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
}
