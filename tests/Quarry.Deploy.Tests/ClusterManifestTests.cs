using k8s.Models;
using Quarry.Deploy.Tests.Infrastructure;

namespace Quarry.Deploy.Tests;

/// <summary>The cluster overlay's own promises: how its parts reach each other, the evaluator's isolation, the trainer, classification.</summary>
public sealed class ClusterManifestTests
{
    private static Task<Manifests> ClusterAsync() => Manifests.RenderAsync("overlays/cluster");

    /// <summary>The verbs the rules grant on one resource of one API group.</summary>
    private static string[] Verbs(IEnumerable<V1PolicyRule> rules, string group, string resource) =>
        [.. rules.Where(r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource)).SelectMany(r => r.Verbs).Distinct().Order(StringComparer.Ordinal)];

    private static V1Container Container(Manifests m, string workload) => Assert.Single(m.Workload(workload).Pod.Containers);

    [Fact]
    public async Task The_api_forwards_playground_runs_to_the_evaluator_Service_which_may_open_no_connection()
    {
        var m = await ClusterAsync();
        var url = new Uri(m.Environment(Container(m, "quarry-api"))["Quarry__Playground__EvaluatorUrl"]!);
        var service = m.One<V1Service>(url.Host);
        Assert.Contains(service.Spec.Ports, p => p.Port == url.Port);
        var evaluator = m.Workloads.Single(w => Labels.Match(service.Spec.Selector, w.Template.Metadata.Labels));
        Assert.Equal("quarry-evaluator", evaluator.Name);
        Assert.Equal("playground", m.Environment(Container(m, "quarry-evaluator"))["Quarry__Services"]);

        var policy = Assert.Single(m.All<V1NetworkPolicy>(), p => Labels.Match(p.Spec.PodSelector, evaluator.Template.Metadata.Labels));
        Assert.Contains("Egress", policy.Spec.PolicyTypes);
        Assert.Contains("Ingress", policy.Spec.PolicyTypes);
        Assert.Empty(policy.Spec.Egress ?? []);
        var from = Assert.Single(Assert.Single(policy.Spec.Ingress).FromProperty);
        Assert.True(Labels.Match(from.PodSelector, m.Workload("quarry-api").Template.Metadata.Labels));
        Assert.Null(from.NamespaceSelector);
        Assert.Null(from.IpBlock);
    }

    [Fact]
    public async Task The_evaluator_pod_has_a_user_namespace_an_unmasked_proc_and_nothing_else_extra()
    {
        var m = await ClusterAsync();
        var evaluator = m.Workload("quarry-evaluator");
        Assert.False(evaluator.Pod.HostUsers);
        var security = Container(m, "quarry-evaluator").SecurityContext;
        Assert.Equal("Unmasked", security.ProcMount);
        Assert.Equal("Unconfined", security.SeccompProfile?.Type);
        Assert.Equal("Unconfined", security.AppArmorProfile?.Type);
        Assert.Null(security.Capabilities?.Add);

        // Only the evaluator: the api and everything else keep the runtime's defaults.
        foreach (var workload in m.Workloads.Where(w => w.Name != "quarry-evaluator"))
        {
            Assert.NotEqual(false, workload.Pod.HostUsers);
            Assert.All(workload.AllContainers, c => Assert.NotEqual("Unmasked", c.SecurityContext?.ProcMount));
            Assert.All(workload.AllContainers, c => Assert.NotEqual("Unconfined", c.SecurityContext?.SeccompProfile?.Type));
            Assert.Equal("RuntimeDefault", workload.Pod.SecurityContext.SeccompProfile.Type);
        }
    }

    [Fact]
    public async Task The_gvisor_variant_runs_the_evaluator_under_its_RuntimeClass_with_default_profiles()
    {
        var m = await Manifests.RenderAsync("variants/gvisor");
        var runtimeClass = Assert.Single(m.All<V1RuntimeClass>());
        var evaluator = m.Workload("quarry-evaluator");
        Assert.Equal(runtimeClass.Metadata.Name, evaluator.Pod.RuntimeClassName);
        Assert.NotEqual(false, evaluator.Pod.HostUsers);
        var security = Container(m, "quarry-evaluator").SecurityContext;
        Assert.Equal("Default", security.ProcMount);
        Assert.Equal("RuntimeDefault", security.SeccompProfile?.Type);
        Assert.All(m.Workloads.Where(w => w.Name != "quarry-evaluator"), w => Assert.Null(w.Pod.RuntimeClassName));
    }

    [Fact]
    public async Task Api_and_workers_use_the_brokers_from_the_Secret_and_share_the_volume_the_trainer_writes()
    {
        var m = await ClusterAsync();
        var api = Container(m, "quarry-api");
        var worker = Container(m, "quarry-worker");
        foreach (var container in new[] { api, worker })
        {
            var fromSecret = m.EnvFrom(container);
            Assert.Contains("Quarry__Jobs__RabbitMq", fromSecret.Keys);
            Assert.Contains("Quarry__Jobs__Postgres", fromSecret.Keys);
            Assert.Equal("rabbitmq", m.Environment(container)["Quarry__Jobs__Backend"]);
            Assert.DoesNotContain(container.Env ?? [], e => e.Name.StartsWith("Quarry__Jobs__", StringComparison.Ordinal) && e.Name != "Quarry__Jobs__Backend");
        }

        Assert.True(m.One<V1Deployment>("quarry-api").Spec.Replicas >= 2);
        Assert.Equal("false", m.Environment(api)["Quarry__Playlists__Bootstrap"]);
        Assert.Equal("metadata.name", worker.Env.Single(e => e.Name == "POD_NAME").ValueFrom?.FieldRef?.FieldPath); // the worker id on its jobs

        var trainer = m.Workload("quarry-train-playlists");
        Assert.Equal("Job", trainer.Kind);
        Assert.Equal(["train", "playlists"], ManifestTests.Arguments(Assert.Single(trainer.Pod.Containers)));
        Assert.False(string.IsNullOrEmpty(m.Environment(Assert.Single(trainer.Pod.Containers))["DATASET_URL"]));
        string Claim(Workload w) => Assert.Single(w.Pod.Volumes ?? [], v => v.PersistentVolumeClaim is not null).PersistentVolumeClaim.ClaimName;
        Assert.Equal(Claim(m.Workload("quarry-api")), Claim(trainer));
        Assert.Equal(Claim(m.Workload("quarry-api")), Claim(m.Workload("quarry-worker")));
    }

    [Fact]
    public async Task Classification_gets_its_namespace_quota_and_the_RBAC_the_api_uses()
    {
        var m = await ClusterAsync();
        Assert.Contains(m.All<V1Namespace>(), n => n.Metadata.Name == "free-service");
        var quota = Assert.Single(m.All<V1ResourceQuota>());
        Assert.Equal("free-service", quota.Metadata.NamespaceProperty);
        Assert.Equal(2m, quota.Spec.Hard["limits.cpu"].ToDecimal());
        Assert.Equal(2m, quota.Spec.Hard["requests.cpu"].ToDecimal());

        var api = m.Workload("quarry-api");
        var account = m.One<V1ServiceAccount>(api.Pod.ServiceAccountName);
        Assert.Equal("quarry", account.Metadata.NamespaceProperty);
        Assert.True(api.Pod.AutomountServiceAccountToken);
        var apiEnvironment = m.Environment(Assert.Single(api.Pod.Containers));
        Assert.Equal("kubernetes", apiEnvironment["Quarry__Vision__Executor"]);
        Assert.Equal(Assert.Single(api.Pod.Containers).Image, apiEnvironment["Quarry__Vision__Kubernetes__Image"]); // jobs run this same image
        Assert.All(m.Workloads.Where(w => w.Name != "quarry-api"), w => Assert.False(w.Pod.AutomountServiceAccountToken));

        bool Bound(Rbacv1Subject s) => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name && s.NamespaceProperty == account.Metadata.NamespaceProperty;
        foreach (var ns in new[] { "free-service", "default" })
        {
            var binding = Assert.Single(m.All<V1RoleBinding>(), b => b.Metadata.NamespaceProperty == ns && b.Subjects.Any(Bound));
            var role = Assert.Single(m.All<V1Role>(), r => r.Metadata.NamespaceProperty == ns && r.Metadata.Name == binding.RoleRef.Name);
            Assert.Equal(new[] { "create", "delete", "get", "list", "watch" }, Verbs(role.Rules, "batch", "jobs"));
            Assert.Equal(["get"], Verbs(role.Rules, "", "pods"));
            Assert.Equal(["get"], Verbs(role.Rules, "", "pods/log"));
        }

        var clusterBinding = Assert.Single(m.All<V1ClusterRoleBinding>(), b => b.Subjects.Any(Bound));
        var clusterRole = m.All<V1ClusterRole>().Single(r => r.Metadata.Name == clusterBinding.RoleRef.Name);
        Assert.Equal(new[] { "list", "watch" }, Verbs(clusterRole.Rules, "", "pods"));
        Assert.Equal(new[] { "list", "watch" }, Verbs(clusterRole.Rules, "batch", "jobs"));
        Assert.Empty(Verbs(clusterRole.Rules, "batch", "jobs").Intersect(["create", "delete"])); // writes only in the two namespaces

        // Quarry's own objects live in namespace quarry; only the classification objects name others.
        Assert.All(m.Workloads, w => Assert.Equal("quarry", w.Metadata.NamespaceProperty));
    }
}
