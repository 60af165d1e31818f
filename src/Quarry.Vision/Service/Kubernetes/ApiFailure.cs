using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>Turns a failed API call into one line a person can act on, and tells whether it means the API is unavailable.</summary>
internal static class ApiFailure
{
    /// <summary>The reason, naming the API server: <c>Kubernetes API at https://… refused: 403 Forbidden: …</c>.</summary>
    public static string Describe(string host, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            HttpOperationException { Response: { } response } =>
                $"Kubernetes API at {host} refused: {(int)response.StatusCode} {response.StatusCode}: {StatusMessage(response.Content)}",
            KubernetesException { Status: { } status } =>
                $"Kubernetes API at {host} refused: {status.Code} {status.Reason}: {status.Message}",
            OperationCanceledException or TimeoutException => $"Kubernetes API at {host} did not answer in time",
            HttpRequestException or IOException or EndOfStreamException =>
                $"Kubernetes API at {host} unreachable: {Innermost(error).Message}",
            _ => $"Kubernetes API at {host} failed: {Innermost(error).Message}",
        };
    }

    /// <summary>True when the error says the API cannot serve this client now (down, refuses its credentials, or a server error), as opposed to a rejected request.</summary>
    public static bool MeansUnavailable(Exception error) => error switch
    {
        HttpOperationException { Response: { } response } => IsUnavailableStatus(response.StatusCode),
        HttpRequestException or IOException or EndOfStreamException or TimeoutException => true,
        _ => false,
    };

    /// <summary>The HTTP status of a refusal, or null for a transport failure.</summary>
    public static HttpStatusCode? StatusOf(Exception error) => error switch
    {
        HttpOperationException { Response: { } response } => response.StatusCode,
        KubernetesException { Status.Code: { } code } => (HttpStatusCode)code,
        _ => null,
    };

    private static bool IsUnavailableStatus(HttpStatusCode code) =>
        code is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests || (int)code >= 500;

    private static string StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(no body)";
        }

        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(body);
            if (!string.IsNullOrWhiteSpace(status?.Message))
            {
                return status.Message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status object (a proxy's page, say): show its start instead.
        }

        var text = body.ReplaceLineEndings(" ").Trim();
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }

        return error;
    }
}
