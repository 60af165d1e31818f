using System.Data.Common;
using k8s.Models;
using Quarry.Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Quarry.Deploy.Tests;

/// <summary>The Compose file is valid for Debian's docker-compose and says what the cluster manifests say.</summary>
public sealed class ComposeTests
{
    /// <summary>Compose service → the cluster workload and container that play the same part.</summary>
    private static readonly (string Service, string Workload, string Container)[] Parts =
    [
        ("api", "quarry-api", "quarry"),
        ("worker", "quarry-worker", "quarry"),
        ("evaluator", "quarry-evaluator", "quarry"),
        ("trainer", "quarry-train-playlists", "quarry"),
        ("dataset", "quarry-train-playlists", "demo-dataset"),
    ];

    /// <summary>Set on the cluster only: the Kubernetes executor of classification jobs, and the pod name as worker id.</summary>
    private static readonly string[] ClusterOnly = ["Quarry__Vision__Executor", "Quarry__Vision__Kubernetes__Image", "POD_NAME"];

    /// <summary>Engine and evaluator addresses: host names differ by platform, the rest must agree.</summary>
    private static readonly string[] Addresses =
        ["Quarry__Jobs__RabbitMq", "Quarry__Jobs__Postgres", "Quarry__Jobs__Redis", "Quarry__Movies__Postgres", "Quarry__Playground__EvaluatorUrl"];

    private static readonly Lazy<Task<YamlMappingNode>> Config = new(LoadAsync);

    [Fact]
    public async Task Docker_compose_config_accepts_the_file()
    {
        var services = Map(await Config.Value, "services");
        Assert.Equal(new[] { "api", "dataset", "evaluator", "postgres", "rabbitmq", "redis", "trainer", "worker" },
            services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Order());
    }

    [Fact]
    public async Task Each_role_runs_the_command_and_settings_of_its_cluster_counterpart()
    {
        var services = Map(await Config.Value, "services");
        var cluster = await Manifests.RenderAsync("overlays/cluster");
        foreach (var (name, workload, containerName) in Parts)
        {
            var service = Map(services, name);
            var container = cluster.Workload(workload).AllContainers.Single(c => c.Name == containerName);
            Assert.Equal(ManifestTests.Arguments(container), List(service, "command"));
            Assert.Equal(container.Image, Scalar(service, "image"));

            var composeEnv = Environment(service);
            var clusterEnv = cluster.Environment(container).Where(kv => !ClusterOnly.Contains(kv.Key)).ToDictionary();
            Assert.Equal(clusterEnv.Keys.Order(), composeEnv.Keys.Order());
            foreach (var (key, value) in composeEnv)
            {
                Assert.True(QuarryConfiguration.Reads(key), $"compose {name} sets {key}, which Quarry does not read");
                if (Addresses.Contains(key))
                {
                    Assert.Equal(Shape(clusterEnv[key]!), Shape(value));
                    Assert.Contains(Host(value), Map(services).Children.Keys.Select(k => ((YamlScalarNode)k).Value));
                }
                else
                {
                    Assert.True(clusterEnv[key] == value, $"{key}: compose {name} has '{value}', the cluster's {workload} '{clusterEnv[key]}'");
                }
            }

            Assert.Empty(QuarryConfiguration.Problems(composeEnv.ToDictionary(kv => kv.Key, kv => (string?)kv.Value)));

            // The same hardening: read-only root, no capabilities, the data dir on a volume or tmpfs.
            Assert.Equal("true", Scalar(service, "read_only"));
            Assert.Equal(["ALL"], List(service, "cap_drop"));
            var dataDir = composeEnv.GetValueOrDefault("DATA_DIR") ?? composeEnv.GetValueOrDefault("QUARRY_DATA_DIR") ?? "/data";
            var mounts = Targets(service);
            Assert.Contains(dataDir, mounts);
            Assert.Contains("/tmp", mounts);
            Assert.Equal(container.VolumeMounts.Select(v => v.MountPath).Order(), mounts.Order());

            var pod = cluster.Workload(workload);
            if (pod.Kind == "Deployment")
            {
                Assert.Equal(TimeSpan.FromSeconds(pod.Pod.TerminationGracePeriodSeconds!.Value), Duration(Scalar(service, "stop_grace_period")));
            }
        }
    }

    [Fact]
    public async Task Workers_scale_the_trainer_runs_once_and_the_evaluator_has_no_way_out()
    {
        var config = await Config.Value;
        var services = Map(config, "services");
        var worker = Map(services, "worker");
        Assert.False(worker.Children.ContainsKey("container_name"));
        Assert.False(worker.Children.ContainsKey("ports"));

        // api, workers and trainer share the one data volume; the api starts after the trainer published.
        foreach (var name in new[] { "api", "worker", "trainer", "dataset" })
        {
            Assert.Contains("data:/data:rw", List(Map(services, name), "volumes"));
        }

        Assert.Equal("no", Scalar(Map(services, "trainer"), "restart"));
        Assert.Equal("service_completed_successfully", Scalar(Map(Map(Map(services, "api"), "depends_on"), "trainer"), "condition"));

        var evaluator = Map(services, "evaluator");
        var networks = Map(evaluator, "networks").Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.NotEmpty(networks);
        Assert.All(networks, n => Assert.Equal("true", Scalar(Map(Map(config, "networks"), n), "internal")));
        Assert.Contains("systempaths=unconfined", List(evaluator, "security_opt"));
        Assert.DoesNotContain(List(Map(services, "api"), "security_opt"), o => o.Contains("unconfined", StringComparison.Ordinal));
    }

    private static async Task<YamlMappingNode> LoadAsync()
    {
        var compose = Tool.Require("docker-compose", "docker-compose");
        var result = await Tool.RunAsync(compose, ["-f", Repo.Path("deploy", "compose", "compose.yaml"), "config"], TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["QUARRY_DB_PASSWORD"] = "", ["DATASET_URL"] = "" });
        Assert.True(result.ExitCode == 0, $"docker-compose config failed:\n{result.Both}");
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Output));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = (YamlMappingNode)node.Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static List<string> List(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? [.. ((YamlSequenceNode)value).Children.Select(c => ((YamlScalarNode)c).Value!)]
            : [];

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        service.Children.TryGetValue(new YamlScalarNode("environment"), out var env)
            ? ((YamlMappingNode)env).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "")
            : [];

    /// <summary>Where a service's volumes and tmpfs mounts land.</summary>
    private static List<string> Targets(YamlMappingNode service) =>
        [.. List(service, "volumes").Select(v => v.Split(':')[1]), .. List(service, "tmpfs").Select(t => t.Split(':')[0])];

    private static TimeSpan Duration(string? text) =>
        text is not null && text.EndsWith('s') ? TimeSpan.FromSeconds(double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture))
            : throw new FormatException($"'{text}' is not a duration in seconds");

    /// <summary>An address without its host: scheme, port and path of a URL, or the settings of a connection string.</summary>
    private static string Shape(string address)
    {
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && !address.Contains(';', StringComparison.Ordinal))
        {
            return $"{uri.Scheme}://{uri.UserInfo.Split(':')[0]}@*:{uri.Port}{uri.AbsolutePath}";
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = address };
        builder.Remove("Host");
        builder.Remove("Password");
        return builder.ConnectionString;
    }

    private static string Host(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && !address.Contains(';', StringComparison.Ordinal)
            ? uri.Host
            : (string)new DbConnectionStringBuilder { ConnectionString = address }["Host"];
}
