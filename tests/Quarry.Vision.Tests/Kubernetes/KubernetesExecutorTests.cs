using Quarry.Vision.Service;
using Quarry.TestSupport;

namespace Quarry.Vision.Tests.Kubernetes;

public sealed class KubernetesExecutorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_graders_sequence_caps_free_jobs_at_two_by_quota_and_every_job_ends_with_its_accuracy()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync();
        var executor = cluster.Executor;

        var free = new List<ClassificationJob>();
        for (var i = 0; i < 3; i++)
        {
            free.Add(await executor.SubmitAsync(Tier.Free, i == 1 ? "kmnist" : "mnist", Ct));
        }

        Assert.All(free, j => Assert.Equal(("free", "ff", "free-service", PodPhase.Pending), (j.Tier, j.Model, j.Namespace, j.Status)));
        Assert.Equal(3, free.Select(j => j.Id).Distinct().Count());
        Assert.Matches("^ff-kmnist-[a-z0-9]{5}$", free[1].Name);

        // Two free pods run; the quota refused the third pod, so its Job is listed as a Pending entry without a node.
        await Wait.UntilAsync(
            () => cluster.PodsIn("free-service") is var pods && pods.Count(p => p.Status == PodPhase.Running) == 2 && pods.Count(p => p.Status == PodPhase.Pending) == 1,
            KubernetesTestCluster.Patience,
            cluster.Describe);
        var pending = Assert.Single(cluster.PodsIn("free-service"), p => p.Status == PodPhase.Pending);
        Assert.Equal(free[2].Name, pending.Name);
        Assert.Equal(("", ""), (pending.Node, pending.Ip));
        Assert.All(cluster.PodsIn("free-service").Where(p => p.Status == PodPhase.Running), p =>
        {
            Assert.Equal("node-1", p.Node);
            Assert.StartsWith("10.244.", p.Ip, StringComparison.Ordinal);
        });
        Assert.Contains(cluster.Api.Cluster.Jobs(), j => j.Name == free[2].Name && !j.HasPod && j.Refusal!.Contains("exceeded quota", StringComparison.Ordinal));
        Assert.Equal(2, cluster.Api.Cluster.Pods().Count(p => p.Namespace == "free-service"));
        Assert.Equal(PodPhase.Pending, (await executor.GetAsync(free[2].Id, Ct))!.Status);
        Assert.Equal(PodPhase.Running, (await executor.GetAsync(free[0].Id, Ct))!.Status);

        var premium = new List<ClassificationJob>();
        for (var i = 0; i < 3; i++)
        {
            premium.Add(await executor.SubmitAsync(Tier.Premium, "mnist", Ct));
        }

        Assert.All(premium, j => Assert.Equal(("premium", "cnn", "default"), (j.Tier, j.Model, j.Namespace)));
        await Wait.UntilAsync(
            () => cluster.PodsIn("default").Count(p => p.Status == PodPhase.Running) == 3 && cluster.PodsIn("free-service").Count(p => p.Status == PodPhase.Running) == 2,
            KubernetesTestCluster.Patience,
            cluster.Describe);

        // Running pods report progress read from their logs.
        await Wait.UntilAsync(
            () => executor.GetAsync(premium[0].Id, Ct).Result?.Progress is { Epoch: 1, Epochs: 2, Step: 100, Steps: 600 },
            KubernetesTestCluster.Patience,
            () => $"{executor.GetAsync(premium[0].Id, Ct).Result}");

        // The first two free jobs finish; the quota frees and the Job controller creates the third's pod.
        Assert.Equal(2, cluster.Api.Cluster.CompleteRunningPods("free-service"));
        await Wait.UntilAsync(
            () => executor.GetAsync(free[2].Id, Ct).Result?.Status == PodPhase.Running,
            KubernetesTestCluster.Patience,
            cluster.Describe);
        Assert.Equal(1, cluster.Api.Cluster.CompleteRunningPods("free-service"));
        Assert.Equal(3, cluster.Api.Cluster.CompleteRunningPods("default"));

        await Wait.UntilAsync(
            () => executor.ListAsync(100, Ct).Result is var jobs && jobs.Count == 6 && jobs.All(j => j.Status == PodPhase.Succeeded && j.Accuracy is not null),
            KubernetesTestCluster.Patience,
            () => string.Join("; ", executor.ListAsync(100, Ct).Result.Select(j => $"{j.Name}={j.Status}/{j.Accuracy}")));
        var all = await executor.ListAsync(100, Ct);
        Assert.All(all.Where(j => j.Tier == "free"), j => Assert.Equal(0.97, j.Accuracy!.Value, 6));
        Assert.All(all.Where(j => j.Tier == "premium"), j => Assert.Equal(0.98, j.Accuracy!.Value, 6));
        Assert.All(all, j => Assert.Equal(("succeeded", 2, 600, 1.0), (j.Progress!.State, j.Progress.Epoch, j.Progress.Step, j.Progress.Fraction)));
        Assert.Equal(12, all[0].Progress!.LossCurve.Count);
        Assert.Equal(6, cluster.Executor.Pods().Count(p => p.Status == PodPhase.Succeeded));
        Assert.Null(executor.Unavailable);
    }

    [Fact]
    public async Task The_job_manifest_is_what_the_api_server_stored()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(configure: o =>
        {
            o.Epochs = 3;
            o.Kubernetes.BackoffLimit = 2;
            o.Kubernetes.TtlSecondsAfterFinished = 600;
            o.Kubernetes.ServiceAccount = "quarry-job";
        });

        var submitted = await cluster.Executor.SubmitAsync(Tier.Premium, "kmnist", Ct);
        var job = cluster.Api.Cluster.GetJob("default", submitted.Name);

        Assert.Equal(submitted.Id, (string?)job["metadata"]!["uid"]);
        Assert.Equal("cnn-kmnist-", (string?)job["metadata"]!["generateName"]);
        var labels = job["metadata"]!["labels"]!.AsObject();
        Assert.Equal(("quarry-classify", "premium", "cnn", "kmnist"),
            ((string?)labels["app.kubernetes.io/name"], (string?)labels["quarry.io/tier"], (string?)labels["quarry.io/model"], (string?)labels["quarry.io/dataset"]));
        var spec = job["spec"]!;
        Assert.Equal((2, 600), ((int)spec["backoffLimit"]!, (int)spec["ttlSecondsAfterFinished"]!));
        var pod = spec["template"]!["spec"]!;
        Assert.Equal(("Never", "quarry-job"), ((string?)pod["restartPolicy"], (string?)pod["serviceAccountName"]));
        var container = Assert.Single(pod["containers"]!.AsArray())!;
        Assert.Equal(("classify", "registry.example/quarry:0.1.0"), ((string?)container["name"], (string?)container["image"]));
        Assert.Null(container["command"]); // the image's entrypoint, the quarry launcher
        Assert.Equal("classify --epochs 3", string.Join(' ', container["args"]!.AsArray().Select(a => (string?)a)));
        Assert.Equal("DATASET=kmnist TYPE=cnn",
            string.Join(' ', container["env"]!.AsArray().Select(e => $"{e!["name"]}={e["value"]}")));
        Assert.Equal(("900m", "900m"),
            ((string?)container["resources"]!["requests"]!["cpu"], (string?)container["resources"]!["limits"]!["cpu"]));
    }

    [Theory]
    [InlineData("", "spec.template.spec.containers[0].image: Required value")]
    [InlineData("quarry:1", null)]
    public async Task A_manifest_the_api_server_rejects_fails_the_submit_without_marking_the_api_down(string image, string? error)
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(configure: o => o.Kubernetes.Image = image);

        if (error is null)
        {
            Assert.Equal(PodPhase.Pending, (await cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct)).Status);
            return;
        }

        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct));
        Assert.Contains("422 UnprocessableEntity", refused.Message, StringComparison.Ordinal);
        Assert.Contains(error, refused.Message, StringComparison.Ordinal);
        Assert.Contains(cluster.Api.Url, refused.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Api.Cluster.Jobs());
        await Wait.UntilAsync(() => cluster.Api.Calls("GET /api/v1/pods") > 0, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.Null(cluster.Executor.Unavailable);
    }

    [Theory]
    [InlineData(null, "401 Unauthorized: Unauthorized")]
    [InlineData("not-a-token", "401 Unauthorized: Unauthorized")]
    [InlineData(FakeKubernetesApi.UnboundToken, "403 Forbidden: jobs.batch is forbidden: User \"system:serviceaccount:default:default\" cannot create resource \"jobs\"")]
    public async Task Refused_credentials_make_the_executor_unavailable_with_the_reason(string? token, string reason)
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(token);

        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Kubernetes API at {cluster.Api.Url} refused: ", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(cluster.Executor.Unavailable);
        Assert.Contains(reason[..3], cluster.Executor.Unavailable, StringComparison.Ordinal);
        Assert.Empty(cluster.Api.Cluster.Jobs());
    }

    [Fact]
    public async Task Revoked_rights_answer_403_and_the_executor_recovers_when_they_return()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync();
        await cluster.Executor.SubmitAsync(Tier.Premium, "mnist", Ct);
        await Wait.UntilAsync(() => cluster.PodsIn("default").Any(p => p.Status == PodPhase.Running), KubernetesTestCluster.Patience, cluster.Describe);

        cluster.Api.RevokeRbac(true);
        await Wait.UntilAsync(() => cluster.Executor.Unavailable?.Contains("403 Forbidden", StringComparison.Ordinal) == true, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.Contains($"is forbidden: User \"{FakeKubernetesApi.User}\" cannot ", cluster.Executor.Unavailable + "", StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => cluster.Executor.SubmitAsync(Tier.Premium, "mnist", Ct));
        Assert.Contains("403 Forbidden", refused.Message, StringComparison.Ordinal);
        Assert.Single(cluster.PodsIn("default")); // the last known pods stay visible

        cluster.Api.RevokeRbac(false);
        cluster.Api.Cluster.CompleteRunningPods();
        await Wait.UntilAsync(
            () => cluster.Executor.Unavailable is null && cluster.PodsIn("default").SingleOrDefault()?.Status == PodPhase.Succeeded, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.Equal(PodPhase.Pending, (await cluster.Executor.SubmitAsync(Tier.Premium, "mnist", Ct)).Status);
    }

    [Fact]
    public async Task An_api_that_is_down_makes_the_executor_unavailable_and_it_catches_up_when_the_api_returns()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync();
        var job = await cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct);
        await Wait.UntilAsync(() => cluster.Executor.GetAsync(job.Id, Ct).Result?.Status == PodPhase.Running, KubernetesTestCluster.Patience, cluster.Describe);

        await cluster.Api.GoDownAsync();
        await Wait.UntilAsync(() => cluster.Executor.Unavailable?.Contains("unreachable", StringComparison.Ordinal) == true, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.StartsWith($"Kubernetes API at {cluster.Api.Url} unreachable: ", cluster.Executor.Unavailable, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct));
        Assert.Contains("unreachable", refused.Message, StringComparison.Ordinal);

        // The job finishes while the executor cannot see the cluster; after the API returns the caches catch up.
        cluster.Api.Cluster.CompleteRunningPods();
        await cluster.Api.ComeBackAsync();
        await Wait.UntilAsync(
            () => cluster.Executor.Unavailable is null && cluster.Executor.GetAsync(job.Id, Ct).Result is { Status: PodPhase.Succeeded, Accuracy: not null },
            KubernetesTestCluster.Patience,
            cluster.Describe);
        Assert.Equal(PodPhase.Pending, (await cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct)).Status);
        Assert.Equal(2, cluster.Api.Cluster.Jobs().Count);
    }

    [Fact]
    public async Task An_api_that_stops_answering_makes_the_submit_fail_after_the_request_timeout()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(requestTimeout: TimeSpan.FromMilliseconds(500));
        await Wait.UntilAsync(() => cluster.Api.Calls("WATCH /api/v1/pods") > 0, KubernetesTestCluster.Patience, cluster.Describe);

        cluster.Api.Stall(true);
        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct));

        Assert.Equal($"Kubernetes API at {cluster.Api.Url} did not answer in time", refused.Message);
        Assert.Equal(refused.Message, cluster.Executor.Unavailable);
        cluster.Api.Stall(false);
        Assert.Equal(PodPhase.Pending, (await cluster.Executor.SubmitAsync(Tier.Free, "mnist", Ct)).Status);
        Assert.Null(cluster.Executor.Unavailable);
    }

    [Fact]
    public async Task Pods_lists_every_pod_of_a_large_cluster_from_the_cache()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(seed: api =>
        {
            api.Cluster.SeedPods("kube-system", 400);
            api.Cluster.SeedPods("monitoring", 600);
        });

        await Wait.UntilAsync(() => cluster.Executor.Pods().Count == 1000, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.Equal(400, cluster.PodsIn("kube-system").Count);
        Assert.All(cluster.Executor.Pods(), p => Assert.True(p.Node.Length > 0 && p.Ip.Length > 0 && p.Status == PodPhase.Running, $"{p}"));

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(1000, cluster.Executor.Pods().Count);
        }

        Assert.Equal(1, cluster.Api.Calls("GET /api/v1/pods"));

        // Changes arrive through the watch, not through more lists.
        cluster.Api.Cluster.SeedPods("kube-system", 5);
        await Wait.UntilAsync(() => cluster.Executor.Pods().Count == 1005, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.Equal(1, cluster.Api.Calls("GET /api/v1/pods"));
    }

    [Fact]
    public async Task An_expired_resource_version_makes_the_executor_list_again()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(seed: api => api.Cluster.SeedPods("kube-system", 3));
        await Wait.UntilAsync(() => cluster.Executor.Pods().Count == 3, KubernetesTestCluster.Patience, cluster.Describe);
        await Wait.UntilAsync(() => cluster.Api.Calls("WATCH /api/v1/pods") == 1, KubernetesTestCluster.Patience, cluster.Describe);

        // The watch ends, pods are added and the history with them is compacted away: watching again from the old
        // version gets 410 Expired, so the executor must list again to see them.
        cluster.Api.Cluster.WhileWatchesMiss(() => cluster.Api.Cluster.SeedPods("kube-system", 2));

        await Wait.UntilAsync(() => cluster.Executor.Pods().Count == 5 && cluster.Api.Calls("GET /api/v1/pods") == 2, KubernetesTestCluster.Patience, cluster.Describe);
        Assert.Null(cluster.Executor.Unavailable);
    }

    [Fact]
    public async Task A_finished_job_stays_visible_after_the_cluster_deletes_it()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync();
        var job = await cluster.Executor.SubmitAsync(Tier.Premium, "mnist", Ct);
        await Wait.UntilAsync(() => cluster.Executor.GetAsync(job.Id, Ct).Result?.Status == PodPhase.Running, KubernetesTestCluster.Patience, cluster.Describe);
        cluster.Api.Cluster.CompleteRunningPods();
        await Wait.UntilAsync(() => cluster.Executor.GetAsync(job.Id, Ct).Result?.Accuracy is not null, KubernetesTestCluster.Patience, cluster.Describe);

        Assert.Equal(1, cluster.Api.Cluster.DeleteFinishedJobs());
        await Wait.UntilAsync(() => cluster.PodsIn("default").Count == 0, KubernetesTestCluster.Patience, cluster.Describe);

        var kept = await cluster.Executor.GetAsync(job.Id, Ct);
        Assert.Equal((PodPhase.Succeeded, 0.98), (kept!.Status, kept.Accuracy));
        Assert.Null(await cluster.Executor.GetAsync("no-such-id", Ct));
    }

    [Fact]
    public async Task A_job_whose_pods_fail_beyond_its_backoff_limit_is_failed_with_the_reason()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync(configure: o => o.Kubernetes.BackoffLimit = 1);
        var job = await cluster.Executor.SubmitAsync(Tier.Premium, "kmnist", Ct);
        await Wait.UntilAsync(() => cluster.Executor.GetAsync(job.Id, Ct).Result?.Status == PodPhase.Running, KubernetesTestCluster.Patience, cluster.Describe);

        // The first failure is retried with a new pod; the second exceeds the backoff limit.
        Assert.Equal(1, cluster.Api.Cluster.FailRunningPods());
        await Wait.UntilAsync(
            () => cluster.PodsIn("default") is var pods && pods.Count == 2 && pods.Any(p => p.Status == PodPhase.Failed) && pods.Any(p => p.Status == PodPhase.Running),
            KubernetesTestCluster.Patience,
            cluster.Describe);
        Assert.Equal(PodPhase.Running, (await cluster.Executor.GetAsync(job.Id, Ct))!.Status);
        Assert.Equal(1, cluster.Api.Cluster.FailRunningPods());

        await Wait.UntilAsync(() => cluster.Executor.GetAsync(job.Id, Ct).Result?.Status == PodPhase.Failed, KubernetesTestCluster.Patience, cluster.Describe);
        var failed = await cluster.Executor.GetAsync(job.Id, Ct);
        Assert.Equal("BackoffLimitExceeded: Job has reached the specified backoff limit", failed!.Error);
        Assert.Null(failed.Accuracy);
        Assert.Equal([PodPhase.Failed, PodPhase.Failed], cluster.PodsIn("default").Select(p => p.Status));
    }

    [Fact]
    public async Task A_dataset_name_that_cannot_be_a_label_is_refused_before_any_call()
    {
        await using var cluster = await KubernetesTestCluster.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Executor.SubmitAsync(Tier.Free, "MNIST!", Ct));

        Assert.Equal(0, cluster.Api.Calls("POST /apis/batch/v1/namespaces/free-service/jobs"));
    }
}
