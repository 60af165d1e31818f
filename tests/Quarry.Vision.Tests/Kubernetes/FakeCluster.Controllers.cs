using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>The controllers the fake plays: Job controller, ResourceQuota admission, scheduler and kubelet (driven by the test), TTL.</summary>
internal sealed partial class FakeCluster
{
    /// <summary>The kubelet finishes every running pod (in <paramref name="ns"/>, or everywhere) with the log of a successful run; returns how many.</summary>
    public int CompleteRunningPods(string? ns = null)
    {
        lock (_lock)
        {
            var done = 0;
            foreach (var pod in _pods.Values.Where(p => (ns is null || Ns(p) == ns) && Phase(p) == "Running" && Owner(p) is not null).ToList())
            {
                var log = _logs[Key(Ns(pod), Name(pod))];
                var env = pod["spec"]!["containers"]![0]!["env"]?.AsArray();
                var type = env?.FirstOrDefault(e => e?["name"]?.GetValue<string>() == "TYPE")?["value"]?.GetValue<string>();
                var epochs = Epochs(pod);
                for (var epoch = 1; epoch <= epochs; epoch++)
                {
                    for (var step = epoch == 1 ? 200 : 100; step <= 600; step += 100)
                    {
                        log.Append(CultureInfo.InvariantCulture, $"Epoch [{epoch}/{epochs}], Step [{step}/600], Loss: {0.3 / (epoch * step / 100.0):F4}\n");
                    }
                }

                log.Append(CultureInfo.InvariantCulture, $"Accuracy of the network on the 10K test images: {(type == "cnn" ? 98 : 97)} %\n");
                log.Append("Time passed: 6.10 sec\n");
                var status = pod["status"]!.AsObject();
                status["phase"] = "Succeeded";
                status["containerStatuses"] = ContainerStatuses(pod, running: false);
                Put("pods", _pods, pod, "MODIFIED");
                if (Owner(pod) is { } job)
                {
                    var jobStatus = job["status"]!.AsObject();
                    jobStatus["active"] = 0;
                    jobStatus["ready"] = 0;
                    jobStatus["succeeded"] = 1;
                    jobStatus["completionTime"] = Now();
                    jobStatus["conditions"] = new JsonArray(
                        Condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                        Condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
                    Put("jobs", _jobs, job, "MODIFIED");
                }

                done++;
            }

            Reconcile();
            return done;
        }
    }

    /// <summary>
    /// The kubelet fails every running pod of a Job (in <paramref name="ns"/>, or everywhere): the Job controller
    /// creates a replacement until more pods failed than <c>backoffLimit</c>, then marks the Job Failed.
    /// </summary>
    public int FailRunningPods(string? ns = null)
    {
        lock (_lock)
        {
            var failed = 0;
            foreach (var pod in _pods.Values.Where(p => (ns is null || Ns(p) == ns) && Phase(p) == "Running" && Owner(p) is not null).ToList())
            {
                _logs[Key(Ns(pod), Name(pod))].Append("error: the dataset mirrors could not be reached\n");
                var status = pod["status"]!.AsObject();
                status["phase"] = "Failed";
                status["containerStatuses"] = ContainerStatuses(pod, running: false, exitCode: 1);
                Put("pods", _pods, pod, "MODIFIED");
                var job = Owner(pod)!;
                var jobStatus = job["status"]!.AsObject();
                var failures = (jobStatus["failed"]?.GetValue<int>() ?? 0) + 1;
                jobStatus["active"] = 0;
                jobStatus["ready"] = 0;
                jobStatus["failed"] = failures;
                if (failures > job["spec"]!["backoffLimit"]!.GetValue<int>())
                {
                    jobStatus["conditions"] = new JsonArray(
                        Condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                        Condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
                }

                Put("jobs", _jobs, job, "MODIFIED");
                failed++;
            }

            Reconcile();
            return failed;
        }
    }

    /// <summary>The TTL controller: deletes every finished Job and its pods.</summary>
    public int DeleteFinishedJobs()
    {
        lock (_lock)
        {
            var finished = _jobs.Values.Where(Finished).ToList();
            foreach (var job in finished)
            {
                foreach (var pod in PodsOf(job).ToList())
                {
                    Delete("pods", _pods, pod);
                }

                Delete("jobs", _jobs, job);
            }

            return finished.Count;
        }
    }

    /// <summary>The Job controller: creates the pod of each Job that has none, through quota admission; admitted pods are scheduled and start at once.</summary>
    private void Reconcile()
    {
        foreach (var job in _jobs.Values.OrderBy(j => _createdAt[Key(Ns(j), Name(j))]).ToList())
        {
            if (Finished(job) || PodsOf(job).Any(p => Phase(p) is not ("Succeeded" or "Failed")))
            {
                continue;
            }

            var ns = Ns(job);
            var template = job["spec"]!["template"]!.AsObject();
            var refusal = Admit(ns, template);
            if (refusal is not null)
            {
                _refusals[Key(ns, Name(job))] = refusal;
                QuotaRefusals++;
                continue;
            }

            _refusals.Remove(Key(ns, Name(job)));
            var podName = FakeValidation.Generate(Name(job) + "-", _random);
            var meta = template["metadata"]!.DeepClone().AsObject();
            meta["name"] = podName;
            meta["generateName"] = Name(job) + "-";
            meta["namespace"] = ns;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            meta["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["name"] = Name(job), ["uid"] = Uid(job), ["controller"] = true, ["blockOwnerDeletion"] = true,
            });
            var pod = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = meta,
                ["spec"] = template["spec"]!.DeepClone(),
                ["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "Guaranteed" },
            };
            Put("pods", _pods, pod, "ADDED");

            // The scheduler binds it and the kubelet starts it.
            pod["spec"]!["nodeName"] = "node-1";
            var status = pod["status"]!.AsObject();
            status["phase"] = "Running";
            status["podIP"] = NextIp();
            status["hostIP"] = "192.0.2.1";
            status["startTime"] = Now();
            status["containerStatuses"] = ContainerStatuses(pod, running: true);
            var dataset = pod["spec"]!["containers"]![0]!["env"]?.AsArray()
                .FirstOrDefault(e => e?["name"]?.GetValue<string>() == "DATASET")?["value"]?.GetValue<string>();
            _logs[Key(ns, podName)] = new StringBuilder(
                string.Create(CultureInfo.InvariantCulture, $"dataset: {dataset}\nEpoch [1/{Epochs(pod)}], Step [100/600], Loss: 0.3000\n"));
            Put("pods", _pods, pod, "MODIFIED");
            var jobStatus = job["status"]!.AsObject();
            jobStatus["active"] = 1;
            jobStatus["ready"] = 1;
            Put("jobs", _jobs, job, "MODIFIED");
        }
    }

    /// <summary>ResourceQuota admission in <c>free-service</c>: every container must set limits.cpu, and the namespace's non-terminated pods' limits may not exceed the quota.</summary>
    private string? Admit(string ns, JsonObject template)
    {
        if (ns != FreeNamespace)
        {
            return null;
        }

        long wanted = 0;
        foreach (var container in template["spec"]!["containers"]!.AsArray())
        {
            var limit = container?["resources"]?["limits"]?["cpu"];
            if (limit is null)
            {
                return $"pods is forbidden: failed quota: compute-resources: must specify limits.cpu for: {container?["name"]}";
            }

            wanted += FakeValidation.MilliCores(limit.GetValueKind() == System.Text.Json.JsonValueKind.Number ? limit.ToJsonString() : limit.GetValue<string>(), "Pod");
        }

        var used = _pods.Values
            .Where(p => Ns(p) == ns && Phase(p) is not ("Succeeded" or "Failed"))
            .Sum(p => p["spec"]!["containers"]!.AsArray().Sum(c => c?["resources"]?["limits"]?["cpu"] is { } l ? FakeValidation.MilliCores(l.ToString(), "Pod") : 0));
        return used + wanted > FreeQuotaMilliCpu
            ? $"pods is forbidden: exceeded quota: compute-resources, requested: limits.cpu={wanted}m, used: limits.cpu={used}m, limited: limits.cpu=2"
            : null;
    }

    private static int Epochs(JsonObject pod)
    {
        var args = pod["spec"]!["containers"]![0]!["args"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [];
        var at = args.IndexOf("--epochs");
        return at >= 0 && at + 1 < args.Count ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 5;
    }

    private static bool Finished(JsonObject job) =>
        job["status"]?["conditions"]?.AsArray().Any(c => (string?)c?["type"] is "Complete" or "Failed") == true;

    private static JsonArray ContainerStatuses(JsonObject pod, bool running, int exitCode = 0)
    {
        var container = pod["spec"]!["containers"]![0]!;
        var state = running
            ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } }
            : new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = exitCode == 0 ? "Completed" : "Error", ["finishedAt"] = Now() } };
        return new JsonArray(new JsonObject
        {
            ["name"] = container["name"]!.GetValue<string>(),
            ["image"] = container["image"]!.GetValue<string>(),
            ["ready"] = running,
            ["restartCount"] = 0,
            ["started"] = running,
            ["state"] = state,
        });
    }

    private static JsonObject Condition(string type, string reason, string message) => new()
    {
        ["type"] = type, ["status"] = "True", ["reason"] = reason, ["message"] = message,
        ["lastProbeTime"] = Now(), ["lastTransitionTime"] = Now(),
    };
}
