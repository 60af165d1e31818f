namespace Quarry.Vision.Service.Kubernetes;

/// <summary>The outcome of the last call to the API server: null after a success, the reason after a failure that makes it unavailable.</summary>
internal sealed class ApiHealth
{
    private volatile string? _reason;

    /// <summary>Why the API cannot be used now, or null.</summary>
    public string? Reason => _reason;

    /// <summary>A call succeeded.</summary>
    public void Healthy() => _reason = null;

    /// <summary>A call failed for <paramref name="reason"/>.</summary>
    public void Failed(string reason) => _reason = reason;
}
