using k8s;
using k8s.Models;
using Quarry.Vision.Training;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>
/// What the watches have seen: every pod in the cluster and this executor's Jobs, with the progress and accuracy read
/// from their pods' logs. Readers get snapshots; <see cref="Pods"/> is rebuilt only after something changed.
/// </summary>
internal sealed class ClusterCache
{
    /// <summary>How many finished jobs are remembered after the cluster deleted them (ttlSecondsAfterFinished).</summary>
    private const int RememberedFinished = 1000;

    private readonly Lock _lock = new();
    private readonly PodIndex _pods = new();
    private readonly Dictionary<string, JobEntry> _jobs = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _forgotten = new();
    private long _version;
    private PodSnapshot _podSnapshot = new(-1, []);

    /// <summary>Receives the pod watch.</summary>
    public IWatchSink<V1Pod> PodSink => new PodWatchSink(this);

    /// <summary>Receives the Job watch.</summary>
    public IWatchSink<V1Job> JobSink => new JobWatchSink(this);

    /// <summary>Raised (outside the lock) when a job may need its log read: it runs or it has finished.</summary>
    public event Action? LogWanted;

    /// <summary>Every pod, plus one Pending entry per Job of ours that has no pod yet (refused by a quota or not scheduled).</summary>
    public IReadOnlyList<PodInfo> Pods()
    {
        var snapshot = Volatile.Read(ref _podSnapshot);
        if (snapshot.Version == Interlocked.Read(ref _version))
        {
            return snapshot.Pods;
        }

        lock (_lock)
        {
            var pods = new List<PodInfo>(_pods.Count + 4);
            foreach (var pod in _pods.All)
            {
                pods.Add(new PodInfo(
                    pod.Spec?.NodeName ?? "",
                    pod.Status?.PodIP ?? "",
                    pod.Metadata.NamespaceProperty ?? "",
                    pod.Metadata.Name ?? "",
                    pod.Status?.Phase ?? PodPhase.Pending));
            }

            foreach (var entry in _jobs.Values)
            {
                if (!entry.Deleted && PodsOf(entry.Job).Count == 0 && StatusOf(entry.Job) == PodPhase.Pending)
                {
                    pods.Add(new PodInfo("", "", entry.Job.Namespace() ?? "", entry.Job.Name() ?? "", PodPhase.Pending));
                }
            }

            var built = pods.ToArray();
            Volatile.Write(ref _podSnapshot, new PodSnapshot(Interlocked.Read(ref _version), built));
            return built;
        }
    }

    /// <summary>The job with <paramref name="id"/> (its uid), or null.</summary>
    public ClassificationJob? Job(string id)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(id, out var entry) ? Project(entry) : null;
        }
    }

    /// <summary>Jobs, newest first.</summary>
    public IReadOnlyList<ClassificationJob> Jobs(int limit)
    {
        lock (_lock)
        {
            return [.. _jobs.Values
                .OrderByDescending(e => e.Job.Metadata.CreationTimestamp ?? DateTime.MinValue)
                .ThenByDescending(e => e.Job.Name(), StringComparer.Ordinal)
                .Take(Math.Max(0, limit))
                .Select(Project)];
        }
    }

    /// <summary>A Job just created: known at once, before the watch reports it.</summary>
    public ClassificationJob Created(V1Job job)
    {
        lock (_lock)
        {
            var uid = job.Uid();
            if (!_jobs.TryGetValue(uid, out var entry))
            {
                entry = new JobEntry(job);
                _jobs[uid] = entry;
                Changed();
            }

            return Project(entry);
        }
    }

    /// <summary>Pods whose log should be read now: the running pod of each running job (for progress) and the finished pod of each job finished without its log read.</summary>
    public IReadOnlyList<LogRead> LogsWanted()
    {
        lock (_lock)
        {
            var wanted = new List<LogRead>();
            foreach (var entry in _jobs.Values)
            {
                if (entry.Deleted || entry.LogDone)
                {
                    continue;
                }

                var status = StatusOf(entry.Job);
                var finished = status is PodPhase.Succeeded or PodPhase.Failed;
                var pods = PodsOf(entry.Job);
                var pod = pods
                    .Where(p => p.Status?.Phase == (finished ? status : PodPhase.Running))
                    .OrderByDescending(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)
                    .FirstOrDefault();
                if (pod is not null)
                {
                    wanted.Add(new LogRead(entry.Job.Uid(), pod.Namespace(), pod.Name(), finished));
                }
                else if (finished && pods.Count == 0)
                {
                    entry.LogDone = true; // its pods are gone: nothing left to read
                }

                // Otherwise the pod watch has not caught up with the Job watch yet: read the log when it has.
            }

            return wanted;
        }
    }

    /// <summary>Records what a pod's log showed.</summary>
    public void LogRead(LogRead read, string log)
    {
        var progress = ClassifyLog.Parse(log, read.Finished, out var accuracy);
        lock (_lock)
        {
            if (_jobs.TryGetValue(read.JobId, out var entry))
            {
                entry.Progress = progress ?? entry.Progress;
                entry.Accuracy = accuracy ?? entry.Accuracy;
                entry.LogDone |= read.Finished;
                Changed();
            }
        }
    }

    /// <summary>The finished job's pod log cannot be read (the pod is gone): stop trying.</summary>
    public void LogUnavailable(LogRead read)
    {
        lock (_lock)
        {
            if (read.Finished && _jobs.TryGetValue(read.JobId, out var entry))
            {
                entry.LogDone = true;
            }
        }
    }

    private void Changed() => Interlocked.Increment(ref _version);

    private ClassificationJob Project(JobEntry entry)
    {
        var job = entry.Job;
        var labels = job.Labels();
        var status = StatusOf(job);
        var failed = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        var created = job.Metadata.CreationTimestamp is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;
        return new ClassificationJob(
            job.Uid(),
            Label(labels, JobManifest.TierLabel) ?? "",
            Label(labels, JobManifest.ModelLabel) ?? "",
            Label(labels, JobManifest.DatasetLabel) ?? "",
            job.Name() ?? "",
            job.Namespace() ?? "",
            status,
            created,
            entry.Progress,
            status == PodPhase.Succeeded ? entry.Accuracy : null,
            failed is null ? null : $"{failed.Reason}: {failed.Message}");
    }

    /// <summary>Succeeded when the Job completed, Failed on its Failed condition, Running when a pod of it runs, else Pending.</summary>
    private string StatusOf(V1Job job)
    {
        var conditions = job.Status?.Conditions ?? [];
        if (conditions.Any(c => c.Type is "Complete" or "SuccessCriteriaMet" && c.Status == "True") ||
            (job.Status?.Succeeded ?? 0) > 0 && (job.Status?.Active ?? 0) == 0)
        {
            return PodPhase.Succeeded;
        }

        if (conditions.Any(c => c.Type is "Failed" or "FailureTarget" && c.Status == "True"))
        {
            return PodPhase.Failed;
        }

        return PodsOf(job).Any(p => p.Status?.Phase == PodPhase.Running) ? PodPhase.Running : PodPhase.Pending;
    }

    private List<V1Pod> PodsOf(V1Job job) => _pods.OwnedBy(job.Uid(), $"{job.Namespace()}/{job.Name()}");

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    private void ReplacePods(IReadOnlyCollection<V1Pod> pods)
    {
        lock (_lock)
        {
            _pods.Clear();
            foreach (var pod in pods)
            {
                _pods.Put(pod);
            }

            Changed();
        }

        LogWanted?.Invoke();
    }

    private void ApplyPod(WatchEventType type, V1Pod pod)
    {
        lock (_lock)
        {
            if (type == WatchEventType.Deleted)
            {
                _pods.Remove(pod);
            }
            else
            {
                _pods.Put(pod);
            }

            Changed();
        }

        if (pod.Status?.Phase is PodPhase.Running or PodPhase.Succeeded or PodPhase.Failed)
        {
            LogWanted?.Invoke();
        }
    }

    private void ReplaceJobs(IReadOnlyCollection<V1Job> jobs)
    {
        lock (_lock)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var job in jobs)
            {
                seen.Add(job.Uid());
                Upsert(job);
            }

            foreach (var uid in _jobs.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                Forget(uid);
            }

            Changed();
        }

        LogWanted?.Invoke();
    }

    private void ApplyJob(WatchEventType type, V1Job job)
    {
        lock (_lock)
        {
            if (type == WatchEventType.Deleted)
            {
                Forget(job.Uid());
            }
            else
            {
                Upsert(job);
            }

            Changed();
        }

        LogWanted?.Invoke();
    }

    private void Upsert(V1Job job)
    {
        if (_jobs.TryGetValue(job.Uid(), out var entry))
        {
            entry.Job = job;
            entry.Deleted = false;
        }
        else
        {
            _jobs[job.Uid()] = new JobEntry(job);
        }
    }

    /// <summary>A deleted Job: a finished one is remembered (bounded) so its result stays visible; an unfinished one is dropped.</summary>
    private void Forget(string uid)
    {
        if (!_jobs.TryGetValue(uid, out var entry) || entry.Deleted)
        {
            return;
        }

        if (StatusOf(entry.Job) is PodPhase.Succeeded or PodPhase.Failed)
        {
            entry.Deleted = true;
            _forgotten.AddLast(uid);
            while (_forgotten.Count > RememberedFinished)
            {
                _jobs.Remove(_forgotten.First!.Value);
                _forgotten.RemoveFirst();
            }
        }
        else
        {
            _jobs.Remove(uid);
        }
    }

    private sealed record PodSnapshot(long Version, PodInfo[] Pods);

    private sealed class JobEntry(V1Job job)
    {
        public V1Job Job { get; set; } = job;

        public ClassifyProgress? Progress { get; set; }

        public double? Accuracy { get; set; }

        public bool LogDone { get; set; }

        public bool Deleted { get; set; }
    }

    private sealed class PodWatchSink(ClusterCache cache) : IWatchSink<V1Pod>
    {
        public void Replace(IReadOnlyCollection<V1Pod> items) => cache.ReplacePods(items);

        public void Apply(WatchEventType type, V1Pod item) => cache.ApplyPod(type, item);
    }

    private sealed class JobWatchSink(ClusterCache cache) : IWatchSink<V1Job>
    {
        public void Replace(IReadOnlyCollection<V1Job> items) => cache.ReplaceJobs(items);

        public void Apply(WatchEventType type, V1Job item) => cache.ApplyJob(type, item);
    }
}

/// <summary>A pod log to read for a job: the running pod's (progress) or the finished pod's (accuracy, once).</summary>
internal sealed record LogRead(string JobId, string Namespace, string Pod, bool Finished);
