using System.Text.RegularExpressions;

namespace Quarry.Cli;

/// <summary><c>quarry worker --metrics-urls</c>: the addresses a worker serves <c>/metrics</c> on, checked before anything starts.</summary>
internal static partial class MetricsUrls
{
    /// <summary>Read when <c>--metrics-urls</c> is not given.</summary>
    public const string Variable = "QUARRY_METRICS_URLS";

    /// <summary>The addresses, or null and a one-line reason naming the option.</summary>
    public static (string[]? Urls, string? Problem) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return (null, Problem(text));
        }

        foreach (var part in parts)
        {
            // Kestrel's own wildcard hosts (http://*:9464, http://+:9464) are not valid URIs but are valid here.
            var probe = part.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.Host.Length == 0
                || !ExplicitPort().IsMatch(part) || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            {
                return (null, Problem(part));
            }
        }

        return (parts, null);
    }

    [GeneratedRegex(@":[0-9]{1,5}/?$")]
    private static partial Regex ExplicitPort();

    private static string Problem(string value) =>
        $"--metrics-urls (or {Variable}) must be ';'-separated http://host:port addresses, e.g. http://0.0.0.0:9464 (was '{value}')";
}
