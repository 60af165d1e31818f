namespace Quarry.Probe;

/// <summary>What <c>quarry probe</c> was asked to do.</summary>
/// <param name="Endpoint">The recommendation endpoint (a bare server URL gets <c>/api/recommend</c> appended).</param>
/// <param name="Songs">Songs to ask recommendations for.</param>
/// <param name="Interval">Time between requests in continuous mode.</param>
/// <param name="Timeout">Longest wait for one answer.</param>
/// <param name="Duration">Stop continuous mode after this long (null: until Ctrl+C).</param>
/// <param name="ChangesOnly">In continuous mode, print only rows where the model or the availability changed.</param>
internal sealed record ProbeSettings(Uri Endpoint, IReadOnlyList<string> Songs, TimeSpan Interval, TimeSpan Timeout, TimeSpan? Duration, bool ChangesOnly)
{
    public static Uri ResolveEndpoint(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an http(s) URL; give the server address, e.g. http://127.0.0.1:8080.");
        }

        return uri.AbsolutePath is "" or "/" ? new Uri(uri, "/api/recommend") : uri;
    }
}
