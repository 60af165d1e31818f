using k8s.Models;
using Quarry.Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Quarry.Deploy.Tests;

/// <summary>The Argo CD Application syncs the cluster overlay with prune and self-heal, without a trainer Job loop.</summary>
public sealed class ArgoCdTests
{
    [Fact]
    public async Task The_Application_syncs_the_cluster_overlay_automatically_with_prune_and_self_heal()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Repo.Text("deploy", "argocd", "application.yaml")));
        var app = (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
        Assert.Equal("argoproj.io/v1alpha1", Scalar(app, "apiVersion"));
        Assert.Equal("Application", Scalar(app, "kind"));
        var path = Scalar(app, "spec", "source", "path");
        Assert.Equal("deploy/k8s/overlays/cluster", path);
        Assert.Equal("true", Scalar(app, "spec", "syncPolicy", "automated", "prune"));
        Assert.Equal("true", Scalar(app, "spec", "syncPolicy", "automated", "selfHeal"));

        // The destination namespace is the one the overlay puts Quarry's objects in.
        var m = await Manifests.RenderAsync(Path.GetRelativePath("deploy/k8s", path));
        Assert.Equal(Scalar(app, "spec", "destination", "namespace"), m.One<V1Deployment>("quarry-api").Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task The_trainer_is_a_sync_hook_replaced_before_each_run_and_every_other_Job_is_too()
    {
        var m = await Manifests.RenderAsync("overlays/cluster");
        foreach (var job in m.All<V1Job>())
        {
            // A plain Job with a TTL would vanish and be re-created by self-heal forever; a hook is outside the compared state.
            var annotations = new Dictionary<string, string>(job.Metadata.Annotations ?? new Dictionary<string, string>());
            Assert.Equal("Sync", annotations.GetValueOrDefault("argocd.argoproj.io/hook"));
            Assert.Equal("BeforeHookCreation", annotations.GetValueOrDefault("argocd.argoproj.io/hook-delete-policy"));
            Assert.Null(job.Spec.TtlSecondsAfterFinished);
            Assert.True(int.Parse(annotations.GetValueOrDefault("argocd.argoproj.io/sync-wave") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0,
                "the hook runs after the volume and its ConfigMap exist");
        }

        Assert.NotEmpty(m.All<V1Job>());
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current).Children[new YamlScalarNode(key)];
        }

        return ((YamlScalarNode)current).Value!;
    }
}
