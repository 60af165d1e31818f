using Quarry.Learn.Neural;
using Quarry.Vision.Model;
using Quarry.Vision.Training;

namespace Quarry.Vision.Service;

/// <summary>The two tiers: free trains the feed-forward net with at most two jobs running; premium the convolutional net, unlimited.</summary>
public enum Tier
{
    /// <summary>Feed-forward network, namespace <c>free-service</c>, capped.</summary>
    Free,

    /// <summary>Convolutional network, namespace <c>default</c>, no tier cap.</summary>
    Premium,
}

/// <summary>What each tier trains and where its jobs live, as the original deployment named them.</summary>
public static class Tiers
{
    /// <summary>The namespace of the free tier's jobs and pods.</summary>
    public const string FreeNamespace = "free-service";

    /// <summary>The namespace of the premium tier's jobs and pods.</summary>
    public const string PremiumNamespace = "default";

    /// <summary>The tier's name in paths and labels: <c>free</c> or <c>premium</c>.</summary>
    public static string Name(Tier tier) => tier == Tier.Free ? "free" : "premium";

    /// <summary>The network a tier trains.</summary>
    public static NetworkKind Model(Tier tier) => tier == Tier.Free ? NetworkKind.FeedForward : NetworkKind.Convolutional;

    /// <summary>The namespace a tier's jobs run in.</summary>
    public static string Namespace(Tier tier) => tier == Tier.Free ? FreeNamespace : PremiumNamespace;

    /// <summary>A job name like Kubernetes' <c>generateName</c>: <c>&lt;model&gt;-&lt;dataset&gt;-</c> and five random lowercase letters or digits.</summary>
    public static string GenerateName(Tier tier, string dataset) =>
        $"{ModelNames.Of(Model(tier))}-{dataset}-{System.Security.Cryptography.RandomNumberGenerator.GetString("bcdfghjklmnpqrstvwxz2456789", 5)}";
}

/// <summary>Kubernetes pod phases, the statuses a job and a pod report.</summary>
public static class PodPhase
{
    /// <summary>Accepted, not running yet (queued behind the tier's cap, or being scheduled).</summary>
    public const string Pending = "Pending";

    /// <summary>Training.</summary>
    public const string Running = "Running";

    /// <summary>Finished with a model.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>Finished without one.</summary>
    public const string Failed = "Failed";

    /// <summary>The state could not be read.</summary>
    public const string Unknown = "Unknown";
}

/// <summary>One pod as <c>GET /config</c> lists it (field names are the original's).</summary>
public sealed record PodInfo(string Node, string Ip, string Namespace, string Name, string Status);

/// <summary>A classification training job as the API shows it.</summary>
/// <param name="Id">Stable id (<c>GET /api/vision/jobs/{id}</c>).</param>
/// <param name="Tier"><c>free</c> or <c>premium</c>.</param>
/// <param name="Model"><c>ff</c> or <c>cnn</c>.</param>
/// <param name="Dataset">The dataset trained on.</param>
/// <param name="Name">The job's (and its pod's) name, <c>&lt;model&gt;-&lt;dataset&gt;-xxxxx</c>.</param>
/// <param name="Namespace"><c>free-service</c> or <c>default</c>.</param>
/// <param name="Status">A pod phase: Pending, Running, Succeeded, Failed (Unknown when it cannot be read).</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="Progress">Epoch, step, last loss and the loss curve while it runs and after; null before it starts.</param>
/// <param name="Accuracy">Test accuracy once it succeeded.</param>
/// <param name="Error">Why it failed.</param>
public sealed record ClassificationJob(
    string Id, string Tier, string Model, string Dataset, string Name, string Namespace, string Status, DateTimeOffset CreatedAt,
    ClassifyProgress? Progress = null, double? Accuracy = null, string? Error = null);

/// <summary>Runs classification jobs somewhere: child processes on this machine, or Kubernetes Jobs.</summary>
public interface IClassificationExecutor
{
    /// <summary><c>local</c> or <c>kubernetes</c>.</summary>
    string Name { get; }

    /// <summary>Accepts a job durably and returns it (usually Pending). Throws <see cref="ExecutorUnavailableException"/> when it cannot.</summary>
    Task<ClassificationJob> SubmitAsync(Tier tier, string dataset, CancellationToken cancellationToken);

    /// <summary>The job, or null when unknown.</summary>
    Task<ClassificationJob?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Jobs, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ClassificationJob>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Every pod of the deployment (on a cluster: every pod in every namespace), from a cache, never one remote call per request.</summary>
    IReadOnlyList<PodInfo> Pods();

    /// <summary>Null when the executor can accept jobs, otherwise why not (for <c>/readyz</c> and 503 answers).</summary>
    string? Unavailable { get; }
}

/// <summary>The executor cannot accept or report jobs now (the Kubernetes API is down or refuses); answered 503 with the reason.</summary>
public sealed class ExecutorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
