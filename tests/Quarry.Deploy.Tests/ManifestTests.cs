using System.CommandLine;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Routing;
using Quarry.Cli;
using Quarry.Deploy.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Deploy.Tests;

/// <summary>
/// Every kustomization renders, loads strictly into the KubernetesClient models, and holds together: what a typo in a
/// label, port, path, command or variable would break is checked against the objects and against Quarry's own code.
/// </summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Kustomizations => [.. Manifests.Applicable];

    private static readonly Dockerfile Image = Dockerfile.Load();

    [Fact]
    public void Strict_loading_rejects_a_field_the_model_does_not_have()
    {
        const string Valid = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector:\n    a: b\n  ports:\n    - port: 80\n";
        Assert.IsType<V1Service>(Assert.Single(Manifests.Load(Valid)));

        var typo = Valid.Replace("    - port: 80", "    - port: 80\n      targetPrt: http", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Manifests.Load(typo));
        Assert.ThrowsAny<Exception>(() => Manifests.Load(Valid.Replace("kind: Service", "kind: Servise", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_kustomization_under_deploy_k8s_that_can_be_applied_is_tested()
    {
        var found = Directory.EnumerateFiles(Repo.Path("deploy", "k8s"), "kustomization.yaml", SearchOption.AllDirectories)
            .Where(f => !File.ReadAllText(f).Contains("kind: Component", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repo.Path("deploy", "k8s"), Path.GetDirectoryName(f)!))
            .Where(d => d != "base")
            .Order(StringComparer.Ordinal);
        Assert.Equal(Manifests.Applicable.Order(StringComparer.Ordinal), found);
        Assert.NotEmpty((await Manifests.RenderAsync("base")).Objects);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Renders_into_typed_objects_only(string kustomization)
    {
        var rendered = await Manifests.RenderAsync(kustomization);
        Assert.NotEmpty(rendered.Objects);
        Assert.All(rendered.Objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        Assert.Equal(rendered.Objects.Count, rendered.Yaml.Split("\n---\n").Length);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Selectors_match_the_pods_they_mean(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        foreach (var deployment in m.All<V1Deployment>())
        {
            Assert.True(Labels.Match(deployment.Spec.Selector, deployment.Spec.Template.Metadata.Labels), $"{deployment.Metadata.Name}: selector does not match its pods");
            var others = m.All<V1Deployment>().Where(d => d != deployment && Labels.Match(deployment.Spec.Selector, d.Spec.Template.Metadata.Labels));
            Assert.Empty(others.Select(o => o.Metadata.Name));
        }

        foreach (var service in m.All<V1Service>())
        {
            var targets = m.Workloads.Where(w => w.Kind == "Deployment" && Labels.Match(service.Spec.Selector, w.Template.Metadata.Labels)).ToList();
            Assert.True(targets.Count == 1, $"Service {service.Metadata.Name} selects {targets.Count} Deployments");
        }

        foreach (var pdb in m.All<V1PodDisruptionBudget>())
        {
            Assert.Single(m.All<V1Deployment>(), d => Labels.Match(pdb.Spec.Selector, d.Spec.Template.Metadata.Labels));
        }

        foreach (var hpa in m.All<V2HorizontalPodAutoscaler>())
        {
            var target = m.One<V1Deployment>(hpa.Spec.ScaleTargetRef.Name);
            Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
            Assert.Null(target.Spec.Replicas); // the autoscaler owns the count; a fixed one would be reset on every sync
            Assert.All(target.Spec.Template.Spec.Containers, c => Assert.True(c.Resources?.Requests?.ContainsKey("cpu"), "CPU utilisation needs CPU requests"));
        }

        foreach (var policy in m.All<V1NetworkPolicy>())
        {
            Assert.Single(m.All<V1Deployment>(), d => Labels.Match(policy.Spec.PodSelector, d.Spec.Template.Metadata.Labels));
            foreach (var peer in (policy.Spec.Ingress ?? []).SelectMany(i => i.FromProperty ?? []))
            {
                Assert.Single(m.All<V1Deployment>(), d => Labels.Match(peer.PodSelector, d.Spec.Template.Metadata.Labels));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Services_and_probes_target_ports_the_containers_declare_and_listen_on(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        foreach (var service in m.All<V1Service>())
        {
            var pod = m.Workloads.Single(w => w.Kind == "Deployment" && Labels.Match(service.Spec.Selector, w.Template.Metadata.Labels));
            foreach (var port in service.Spec.Ports)
            {
                Assert.True(ResolvePort(pod.Pod.Containers, port.TargetPort?.Value ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not null,
                    $"Service {service.Metadata.Name} port {port.Name} targets {port.TargetPort?.Value}, which no container of {pod} declares");
            }
        }

        foreach (var workload in m.Workloads)
        {
            foreach (var container in workload.Pod.Containers)
            {
                foreach (var port in container.Ports ?? [])
                {
                    // The process must listen on the declared port, on every interface (127.0.0.1 would be unreachable).
                    var urls = ListenUrls(m, container);
                    var listen = new Uri(urls.Split(';')[0].Replace("+", "0.0.0.0", StringComparison.Ordinal).Replace("*", "0.0.0.0", StringComparison.Ordinal));
                    Assert.Equal(port.ContainerPort, listen.Port);
                    Assert.Contains(listen.Host, new[] { "0.0.0.0", "[::]" });
                }

                foreach (var (kind, probe) in Probes(container))
                {
                    Assert.NotNull(probe.HttpGet);
                    var port = ResolvePort([container], probe.HttpGet.Port.Value);
                    Assert.True(port is not null, $"{workload} {kind} probe port {probe.HttpGet.Port.Value} is not a port of its container");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Probe_paths_are_routes_the_command_serves(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        foreach (var workload in m.Workloads)
        {
            foreach (var container in workload.Pod.Containers.Where(c => Probes(c).Any()))
            {
                Assert.Equal(["serve"], Arguments(container)); // only `quarry serve` has an HTTP listener
                var routes = ServedRoutes(m.Environment(container));
                foreach (var (kind, probe) in Probes(container))
                {
                    Assert.True(routes.Contains(probe.HttpGet.Path), $"{workload} {kind} probe path {probe.HttpGet.Path} is not served; routes: {string.Join(' ', routes.Order())}");
                }

                Assert.Equal("/readyz", container.ReadinessProbe?.HttpGet?.Path);
                Assert.Equal("/healthz", container.LivenessProbe?.HttpGet?.Path);
                Assert.NotNull(container.StartupProbe?.HttpGet);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Every_container_runs_a_quarry_command_that_parses(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        var entrypoint = Image.Runtime.Exec("ENTRYPOINT");
        foreach (var workload in m.Workloads)
        {
            foreach (var container in workload.AllContainers)
            {
                Assert.True(container.Command is null || container.Command.SequenceEqual(entrypoint),
                    $"{workload}/{container.Name} replaces the image's entrypoint with {string.Join(' ', container.Command ?? [])}");
                var args = Arguments(container);
                Assert.DoesNotContain(args, a => a.Contains("$(", StringComparison.Ordinal));
                var root = QuarryCommands.Create();
                var parse = root.Parse(args);
                Assert.True(parse.Errors.Count == 0, $"{workload}/{container.Name}: quarry {string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
                Assert.NotSame(root, parse.CommandResult.Command);
                Assert.NotNull(parse.CommandResult.Command.Action);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Every_environment_variable_is_one_Quarry_reads_with_a_value_it_accepts(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        foreach (var workload in m.Workloads)
        {
            foreach (var container in workload.AllContainers)
            {
                var environment = m.Environment(container);
                foreach (var name in environment.Keys)
                {
                    Assert.True(QuarryConfiguration.Reads(name), $"{workload}/{container.Name} sets {name}, which Quarry does not read");
                }

                Assert.Empty(QuarryConfiguration.Problems(environment));
            }
        }
    }

    [Fact]
    public void The_list_of_variables_Quarry_reads_comes_from_the_code()
    {
        // A few the README documents, found through the options classes, constants and environment reads.
        foreach (var name in new[] { "Quarry__DrainDelay", "Quarry__Jobs__Backend", "Quarry__Playground__EvaluatorUrl", "Quarry__Playground__Limits__Wall",
                     "Quarry__Services", "QUARRY_DATA_DIR", "QUARRY_LOG_FORMAT", "DATASET_URL", "DATA_DIR", "POD_NAME", "ASPNETCORE_URLS" })
        {
            Assert.True(QuarryConfiguration.Reads(name), name);
        }

        Assert.False(QuarryConfiguration.Reads("Quarry__DrainDelai"));
        Assert.False(QuarryConfiguration.Reads("QUARRY_DATADIR"));
        Assert.NotEmpty(QuarryConfiguration.Problems(new Dictionary<string, string?> { ["Quarry__DrainDelay"] = "10s" }));
        Assert.NotEmpty(QuarryConfiguration.Problems(new Dictionary<string, string?> { ["Quarry__Jobs__Backend"] = "rabbitmq" }));
        Assert.Empty(QuarryConfiguration.Problems(new Dictionary<string, string?> { ["Quarry__DrainDelay"] = "00:00:10" }));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Volumes_and_mounts_agree_and_every_written_path_is_a_volume(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        foreach (var workload in m.Workloads)
        {
            var volumes = (workload.Pod.Volumes ?? []).ToDictionary(v => v.Name);
            var mounted = new HashSet<string>();
            foreach (var container in workload.AllContainers)
            {
                foreach (var mount in container.VolumeMounts ?? [])
                {
                    Assert.True(volumes.ContainsKey(mount.Name), $"{workload}/{container.Name} mounts {mount.Name}, which the pod does not define");
                    mounted.Add(mount.Name);
                }

                var mounts = (container.VolumeMounts ?? []).Select(v => v.MountPath).ToList();
                var environment = m.Environment(container);
                // The data dir must be on a volume: the root filesystem is read-only and a pod's own files vanish.
                var dataDir = environment.GetValueOrDefault("DATA_DIR") ?? environment.GetValueOrDefault("QUARRY_DATA_DIR") ?? Image.Runtime.Environment["QUARRY_DATA_DIR"];
                Assert.Contains(dataDir, mounts);
                Assert.Contains("/tmp", mounts);
                foreach (var argument in Arguments(container).Where(a => a.StartsWith('/')))
                {
                    Assert.True(mounts.Any(p => argument.StartsWith(p + "/", StringComparison.Ordinal)), $"{workload}/{container.Name} writes {argument} outside its volumes");
                }
            }

            Assert.Equal(volumes.Keys.Order(), mounted.Order());
            foreach (var claim in volumes.Values.Select(v => v.PersistentVolumeClaim).OfType<V1PersistentVolumeClaimVolumeSource>())
            {
                m.One<V1PersistentVolumeClaim>(claim.ClaimName);
            }
        }

        // Pods that share the data volume across replicas or roles need a volume every node can mount.
        var sharers = m.Workloads.Where(w => (w.Pod.Volumes ?? []).Any(v => v.PersistentVolumeClaim?.ClaimName == "quarry-data")).ToList();
        var shared = sharers.Count > 1 || sharers.Any(w => w.Kind == "Deployment" && m.One<V1Deployment>(w.Name).Spec.Replicas is not 1);
        Assert.Equal(shared ? "ReadWriteMany" : "ReadWriteOnce", Assert.Single(m.One<V1PersistentVolumeClaim>("quarry-data").Spec.AccessModes));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Every_container_runs_the_one_image_as_its_non_root_user_on_a_read_only_root(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        var version = System.Xml.Linq.XDocument.Load(Repo.Path("Directory.Build.props")).Descendants("Version").Single().Value;
        var uid = long.Parse(Image.Runtime.Last("USER")!, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var workload in m.Workloads)
        {
            Assert.Equal(uid, workload.Pod.SecurityContext?.RunAsUser);
            Assert.True(workload.Pod.SecurityContext?.RunAsNonRoot);
            foreach (var container in workload.AllContainers)
            {
                Assert.Equal($"quarry:{version}", container.Image);
                var security = container.SecurityContext;
                Assert.True(security?.ReadOnlyRootFilesystem, $"{workload}/{container.Name}");
                Assert.False(security?.AllowPrivilegeEscalation);
                Assert.Equal(["ALL"], security?.Capabilities?.Drop ?? []);
                Assert.Null(security?.Capabilities?.Add);
                Assert.NotEqual(true, security?.Privileged);
                Assert.True(container.Resources?.Requests?.ContainsKey("cpu"), $"{workload}/{container.Name}: no CPU request");
                Assert.True(container.Resources?.Requests?.ContainsKey("memory"), $"{workload}/{container.Name}: no memory request");
                Assert.True(container.Resources?.Limits?.ContainsKey("memory"), $"{workload}/{container.Name}: no memory limit");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Serving_deployments_roll_without_dropping_requests(string kustomization)
    {
        var m = await Manifests.RenderAsync(kustomization);
        var serving = m.All<V1Deployment>().Where(d => d.Spec.Template.Spec.Containers.Any(c => c.ReadinessProbe is not null)).ToList();
        Assert.NotEmpty(serving);
        foreach (var deployment in serving)
        {
            var name = deployment.Metadata.Name;
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
            Assert.Single(m.All<V1PodDisruptionBudget>(), p => Labels.Match(p.Spec.Selector, deployment.Spec.Template.Metadata.Labels));
            Assert.Single(m.All<V1Service>(), s => Labels.Match(s.Spec.Selector, deployment.Spec.Template.Metadata.Labels));

            // Quarry drains by itself on SIGTERM (no preStop needed): ready turns 503, the listener stays open for the
            // drain delay, in-flight requests get the shutdown timeout; the kubelet must not kill it before that.
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            var environment = m.Environment(container);
            var drain = TimeSpan.Parse(environment["Quarry__DrainDelay"]!, System.Globalization.CultureInfo.InvariantCulture);
            var shutdown = TimeSpan.Parse(environment["Quarry__ShutdownTimeout"]!, System.Globalization.CultureInfo.InvariantCulture);
            var grace = TimeSpan.FromSeconds(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30);
            Assert.True(drain >= TimeSpan.FromSeconds(5), $"{name}: a drain delay of {drain} is shorter than endpoint propagation");
            Assert.True(drain < shutdown, $"{name}: the drain delay must end before the shutdown timeout");
            Assert.True(grace >= shutdown + TimeSpan.FromSeconds(5), $"{name}: grace {grace} leaves no margin over the shutdown timeout {shutdown}");
            Assert.Null(container.Lifecycle?.PreStop); // a preStop sleep would add to the drain and eat the grace period
            var readiness = container.ReadinessProbe;
            Assert.True((readiness.PeriodSeconds ?? 10) * (readiness.FailureThreshold ?? 3) < drain.TotalSeconds,
                $"{name}: readiness must notice the drain before it ends");
        }
    }

    private static IEnumerable<(string Kind, V1Probe Probe)> Probes(V1Container container) =>
        new[] { ("startup", container.StartupProbe), ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe) }
            .Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!));

    /// <summary>Where the container's process listens: a worker on its <c>--metrics-urls</c>, the server on ASPNETCORE_URLS.</summary>
    internal static string ListenUrls(Manifests m, V1Container container)
    {
        var args = Arguments(container);
        if (args is ["worker", ..])
        {
            var at = Array.IndexOf(args, "--metrics-urls");
            Assert.True(at > 0 && at + 1 < args.Length, $"{container.Name} declares a port but runs a worker without --metrics-urls");
            return args[at + 1];
        }

        return m.Environment(container).GetValueOrDefault("ASPNETCORE_URLS") ?? Image.Runtime.Environment["ASPNETCORE_URLS"];
    }

    private static V1ContainerPort? ResolvePort(IEnumerable<V1Container> containers, string port) =>
        containers.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == port || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port);

    /// <summary>What the container runs after the image's entrypoint: its args, or the image's CMD.</summary>
    internal static string[] Arguments(V1Container container) => container.Args?.ToArray() ?? Image.Runtime.Exec("CMD");

    /// <summary>The routes `quarry serve` maps when started with <paramref name="environment"/> (the app is built, not started).</summary>
    private static HashSet<string> ServedRoutes(IReadOnlyDictionary<string, string?> environment)
    {
        using var dataDir = new TempDirectory();
        var app = QuarryApp.Build(new ServeSettings("http://127.0.0.1:0", dataDir.Path), builder =>
            builder.Configuration.AddInMemoryCollection(environment.Where(kv => kv.Value is not null)
                .Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value))));
        try
        {
            return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
                .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))];
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }
}
