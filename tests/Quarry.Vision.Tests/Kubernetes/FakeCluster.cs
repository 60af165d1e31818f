using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>
/// The state behind the fake API server: namespaces, Jobs and pods with resource versions and a change history for
/// watches; it plays the Job controller, the scheduler and kubelet (driven by the test), and ResourceQuota admission.
/// </summary>
internal sealed partial class FakeCluster
{
    /// <summary>The <c>free-service</c> quota's <c>limits.cpu</c>, in millicores (the original's 2).</summary>
    public const long FreeQuotaMilliCpu = 2000;

    public const string FreeNamespace = "free-service";

    private readonly Lock _lock = new();
    private readonly Random _random = new(20261202);
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal) { "default", "kube-system", "kube-public", "kube-node-lease", FreeNamespace };
    private readonly Dictionary<string, JsonObject> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StringBuilder> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _createdAt = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Resource, string Type, JsonObject Object)> _history = [];
    private readonly List<FakeWatcher> _watchers = [];
    private long _version = 1000;
    private long _compactedThrough;
    private int _nextIp = 10;

    /// <summary>Pod creations the quota refused (the Job controller retries them when capacity frees).</summary>
    public int QuotaRefusals { get; private set; }

    public bool NamespaceExists(string ns)
    {
        lock (_lock)
        {
            return _namespaces.Contains(ns);
        }
    }

    /// <summary>POST a Job: checks it as the API server does, names it from <c>generateName</c>, defaults it, then runs the Job controller.</summary>
    public JsonObject CreateJob(string ns, JsonObject body)
    {
        lock (_lock)
        {
            if (!_namespaces.Contains(ns))
            {
                throw FakeStatus.NotFound("namespaces", ns);
            }

            if (body["apiVersion"]?.GetValue<string>() is { } apiVersion && apiVersion != "batch/v1" ||
                body["kind"]?.GetValue<string>() is { } kind && kind != "Job")
            {
                throw FakeStatus.BadRequest($"the API version in the data ({body["apiVersion"]}) does not match the expected API version (batch/v1)");
            }

            var meta = body["metadata"] as JsonObject ?? [];
            body["metadata"] = meta;
            if (meta["namespace"]?.GetValue<string>() is { Length: > 0 } given && given != ns)
            {
                throw FakeStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var name = meta["name"]?.GetValue<string>() ?? "";
            var errors = new List<FieldError>();
            if (name.Length == 0 && meta["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
            {
                FakeValidation.Name(prefix.TrimEnd('-') is { Length: > 0 } p ? p : "x", "metadata.generateName", errors, maxLength: 253);
                do
                {
                    name = FakeValidation.Generate(prefix, _random);
                }
                while (_jobs.ContainsKey(Key(ns, name)));
            }

            errors.AddRange(FakeValidation.Job(body, name));
            if (errors.Count > 0)
            {
                throw FakeStatus.Invalid("Job", "batch", name, errors);
            }

            if (_jobs.ContainsKey(Key(ns, name)))
            {
                throw new FakeStatusException(409, "AlreadyExists", $"jobs.batch \"{name}\" already exists");
            }

            var uid = Guid.NewGuid().ToString();
            meta["name"] = name;
            meta["namespace"] = ns;
            meta["uid"] = uid;
            meta["creationTimestamp"] = Now();
            meta["generation"] = 1;
            var spec = (JsonObject)body["spec"]!;
            spec["completions"] ??= 1;
            spec["parallelism"] ??= 1;
            spec["backoffLimit"] ??= 6;
            spec["completionMode"] ??= "NonIndexed";
            spec["suspend"] ??= false;
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
            var template = (JsonObject)spec["template"]!;
            var templateMeta = template["metadata"] as JsonObject ?? [];
            template["metadata"] = templateMeta;
            var labels = templateMeta["labels"] as JsonObject ?? [];
            templateMeta["labels"] = labels;
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = name;
            labels["controller-uid"] = uid;
            labels["job-name"] = name;
            var podSpec = (JsonObject)template["spec"]!;
            podSpec["dnsPolicy"] ??= "ClusterFirst";
            podSpec["schedulerName"] ??= "default-scheduler";
            podSpec["terminationGracePeriodSeconds"] ??= 30;
            foreach (var container in podSpec["containers"]!.AsArray())
            {
                container!["terminationMessagePath"] ??= "/dev/termination-log";
                container["imagePullPolicy"] ??= container["image"]!.GetValue<string>().EndsWith(":latest", StringComparison.Ordinal) ||
                    !container["image"]!.GetValue<string>().Contains(':', StringComparison.Ordinal) ? "Always" : "IfNotPresent";
            }

            body["status"] = new JsonObject { ["startTime"] = Now(), ["active"] = 0, ["ready"] = 0 };
            Put("jobs", _jobs, body, "ADDED");
            _createdAt[Key(ns, name)] = _version;
            var created = body.DeepClone().AsObject();
            Reconcile();
            return created;
        }
    }

    public JsonObject GetJob(string ns, string name)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(Key(ns, name), out var job) ? job.DeepClone().AsObject() : throw FakeStatus.NotFound("jobs", name, "batch");
        }
    }

    public JsonObject GetPod(string ns, string name)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(Key(ns, name), out var pod) ? pod.DeepClone().AsObject() : throw FakeStatus.NotFound("pods", name);
        }
    }

    public string PodLog(string ns, string name)
    {
        lock (_lock)
        {
            if (!_pods.TryGetValue(Key(ns, name), out var pod))
            {
                throw FakeStatus.NotFound("pods", name);
            }

            if (pod["status"]?["phase"]?.GetValue<string>() == "Pending")
            {
                throw FakeStatus.BadRequest($"container \"classify\" in pod \"{name}\" is waiting to start: ContainerCreating");
            }

            return _logs.TryGetValue(Key(ns, name), out var log) ? log.ToString() : "";
        }
    }

    /// <summary>A list object (<c>JobList</c> or <c>PodList</c>) with the current resource version.</summary>
    public JsonObject List(string resource, string? ns, FakeSelector selector)
    {
        lock (_lock)
        {
            if (ns is not null && !_namespaces.Contains(ns))
            {
                // A real server answers an empty list for a namespace that does not exist.
            }

            var items = new JsonArray();
            foreach (var item in Store(resource).Values.Where(i => Visible(i, ns, selector)))
            {
                items.Add(item.DeepClone());
            }

            return new JsonObject
            {
                ["kind"] = resource == "jobs" ? "JobList" : "PodList",
                ["apiVersion"] = resource == "jobs" ? "batch/v1" : "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        }
    }

    /// <summary>Starts a watch: events after <paramref name="resourceVersion"/> (or ADDED for everything when none), then live ones.</summary>
    public FakeWatcher Watch(string resource, string? ns, FakeSelector selector, string? resourceVersion)
    {
        lock (_lock)
        {
            var watcher = new FakeWatcher(resource, ns, selector);
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var item in Store(resource).Values.Where(i => Visible(i, ns, selector)))
                {
                    watcher.Send("ADDED", item);
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var since))
                {
                    throw FakeStatus.BadRequest($"invalid resource version: {resourceVersion}");
                }

                if (since < _compactedThrough)
                {
                    watcher.Send("ERROR", FakeStatus.Expired(since, _compactedThrough));
                    watcher.Close();
                    return watcher;
                }

                foreach (var change in _history.Where(c => c.Version > since && c.Resource == resource && Visible(c.Object, ns, selector)))
                {
                    watcher.Send(change.Type, change.Object);
                }
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    public void Unwatch(FakeWatcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Ends every open watch (clients watch again from their last version).</summary>
    public void DropWatches()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Close();
            }

            _watchers.Clear();
        }
    }

    /// <summary>Forgets the change history, as etcd compaction does: a watch from an older version gets 410 Expired.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _version;
        }
    }

    /// <summary>Ends every watch, makes <paramref name="change"/>, then compacts: a client watching again from its last version gets 410 and must list.</summary>
    public void WhileWatchesMiss(Action change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            DropWatches();
            change();
            Compact();
        }
    }

    /// <summary>Adds <paramref name="count"/> running pods to <paramref name="ns"/> (system pods and other workloads).</summary>
    public void SeedPods(string ns, int count)
    {
        lock (_lock)
        {
            _namespaces.Add(ns);
            for (var i = 0; i < count; i++)
            {
                var name = FakeValidation.Generate($"seed-{i}-", _random);
                var pod = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = name, ["namespace"] = ns, ["uid"] = Guid.NewGuid().ToString(), ["creationTimestamp"] = Now(),
                        ["labels"] = new JsonObject { ["app"] = "seed" },
                    },
                    ["spec"] = new JsonObject
                    {
                        ["nodeName"] = $"node-{i % 3 + 1}",
                        ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "registry.k8s.io/pause:3.10" }),
                    },
                    ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = NextIp(), ["hostIP"] = "192.0.2.1" },
                };
                Put("pods", _pods, pod, "ADDED");
            }
        }
    }

    /// <summary>Every pod's namespace, name and phase.</summary>
    public IReadOnlyList<(string Namespace, string Name, string Phase)> Pods()
    {
        lock (_lock)
        {
            return [.. _pods.Values.Select(p => (Ns(p), Name(p), p["status"]!["phase"]!.GetValue<string>()))];
        }
    }

    /// <summary>Every Job's namespace, name and whether a pod of it exists, plus the last quota refusal of its pod.</summary>
    public IReadOnlyList<(string Namespace, string Name, bool HasPod, string? Refusal)> Jobs()
    {
        lock (_lock)
        {
            return [.. _jobs.Values.Select(j => (Ns(j), Name(j), PodsOf(j).Any(), _refusals.GetValueOrDefault(Key(Ns(j), Name(j)))))];
        }
    }

    private void Put(string resource, Dictionary<string, JsonObject> store, JsonObject item, string type)
    {
        _version++;
        item["metadata"]!["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture);
        store[Key(Ns(item), Name(item))] = item;
        Publish(resource, type, item);
    }

    private void Delete(string resource, Dictionary<string, JsonObject> store, JsonObject item)
    {
        _version++;
        item["metadata"]!["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture);
        store.Remove(Key(Ns(item), Name(item)));
        _logs.Remove(Key(Ns(item), Name(item)));
        Publish(resource, "DELETED", item);
    }

    private void Publish(string resource, string type, JsonObject item)
    {
        var snapshot = item.DeepClone().AsObject();
        _history.Add((_version, resource, type, snapshot));
        foreach (var watcher in _watchers)
        {
            if (watcher.Resource == resource && Visible(snapshot, watcher.Namespace, watcher.Selector))
            {
                watcher.Send(type, snapshot);
            }
        }
    }

    private Dictionary<string, JsonObject> Store(string resource) => resource == "jobs" ? _jobs : _pods;

    private IEnumerable<JsonObject> PodsOf(JsonObject job) =>
        _pods.Values.Where(p => p["metadata"]?["labels"]?["controller-uid"]?.GetValue<string>() == Uid(job));

    private JsonObject? Owner(JsonObject pod) =>
        pod["metadata"]?["labels"]?["job-name"]?.GetValue<string>() is { } job ? _jobs.GetValueOrDefault(Key(Ns(pod), job)) : null;

    private string NextIp() => string.Create(CultureInfo.InvariantCulture, $"10.244.{_nextIp / 250}.{_nextIp++ % 250 + 2}");

    private static bool Visible(JsonObject item, string? ns, FakeSelector selector) => (ns is null || Ns(item) == ns) && selector.Matches(item);

    private static string Phase(JsonObject pod) => pod["status"]!["phase"]!.GetValue<string>();

    private static string Ns(JsonObject item) => item["metadata"]!["namespace"]!.GetValue<string>();

    private static string Name(JsonObject item) => item["metadata"]!["name"]!.GetValue<string>();

    private static string Uid(JsonObject item) => item["metadata"]!["uid"]!.GetValue<string>();

    private static string Key(string ns, string name) => $"{ns}/{name}";

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

/// <summary>One open watch: its filter and the newline-delimited JSON events queued for it.</summary>
internal sealed class FakeWatcher(string resource, string? ns, FakeSelector selector)
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public string Resource { get; } = resource;

    public string? Namespace { get; } = ns;

    public FakeSelector Selector { get; } = selector;

    public ChannelReader<string> Lines => _lines.Reader;

    public void Send(string type, JsonObject item) =>
        _lines.Writer.TryWrite(new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString());

    public void Close() => _lines.Writer.TryComplete();
}
