using k8s.Models;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>Pods by namespace/name, and which belong to which Job (by controller uid, else by namespace/job-name). Not thread-safe: the cache locks.</summary>
internal sealed class PodIndex
{
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _owned = new(StringComparer.Ordinal);

    public int Count => _pods.Count;

    public IEnumerable<V1Pod> All => _pods.Values;

    public void Clear()
    {
        _pods.Clear();
        _owned.Clear();
    }

    public void Put(V1Pod pod)
    {
        var key = Key(pod);
        Remove(key);
        _pods[key] = pod;
        if (OwnerOf(pod) is { } owner)
        {
            if (!_owned.TryGetValue(owner, out var keys))
            {
                _owned[owner] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(key);
        }
    }

    public void Remove(V1Pod pod) => Remove(Key(pod));

    /// <summary>The pods owned by any of <paramref name="owners"/> (a Job's uid and its namespace/name).</summary>
    public List<V1Pod> OwnedBy(params ReadOnlySpan<string> owners)
    {
        var pods = new List<V1Pod>();
        foreach (var owner in owners)
        {
            if (_owned.TryGetValue(owner, out var keys))
            {
                foreach (var key in keys)
                {
                    pods.Add(_pods[key]);
                }
            }
        }

        return pods;
    }

    private void Remove(string key)
    {
        if (_pods.Remove(key, out var old) && OwnerOf(old) is { } owner && _owned.TryGetValue(owner, out var keys))
        {
            keys.Remove(key);
            if (keys.Count == 0)
            {
                _owned.Remove(owner);
            }
        }
    }

    /// <summary>The Job a pod belongs to: its controller uid label, else namespace/job-name; null for other pods.</summary>
    private static string? OwnerOf(V1Pod pod)
    {
        var labels = pod.Labels();
        var uid = Label(labels, "batch.kubernetes.io/controller-uid") ?? Label(labels, JobManifest.ControllerUidLabel);
        return uid ?? (Label(labels, JobManifest.JobNameLabel) is { } job ? $"{pod.Namespace()}/{job}" : null);
    }

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    private static string Key(V1Pod pod) => $"{pod.Namespace()}/{pod.Name()}";
}
