using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>A kustomization rendered by <c>kubectl kustomize</c> and loaded into the KubernetesClient models.</summary>
internal sealed class Manifests
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<Manifests>>> Cache = new();

    private Manifests(string directory, string yaml, IReadOnlyList<object> objects)
    {
        Directory = directory;
        Yaml = yaml;
        Objects = objects;
    }

    /// <summary>Every kustomization a user can apply, relative to deploy/k8s.</summary>
    public static IReadOnlyList<string> Applicable { get; } = ["overlays/single", "overlays/cluster", "variants/gvisor", "variants/monitoring"];

    public string Directory { get; }

    public string Yaml { get; }

    public IReadOnlyList<object> Objects { get; }

    /// <summary>Renders deploy/k8s/<paramref name="directory"/> once per test run.</summary>
    public static Task<Manifests> RenderAsync(string directory) =>
        Cache.GetOrAdd(directory, d => new Lazy<Task<Manifests>>(() => RenderUncachedAsync(d))).Value;

    /// <summary>Parses YAML documents into the typed models (the Prometheus Operator's too); strict: a field the model lacks is an error.</summary>
    public static List<object> Load(string yaml) => KubernetesYaml.LoadAllFromString(yaml, MonitoringResources.TypeMap, strict: true);

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T One<T>(string name)
        where T : IMetadata<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new InvalidOperationException($"{Directory}: no {typeof(T).Name} named {name}.");

    /// <summary>Deployments and Jobs with their pod templates.</summary>
    public IEnumerable<Workload> Workloads =>
        All<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Metadata, d.Spec.Template))
            .Concat(All<V1Job>().Select(j => new Workload("Job", j.Metadata.Name, j.Metadata, j.Spec.Template)));

    public Workload Workload(string name) => Workloads.SingleOrDefault(w => w.Name == name)
        ?? throw new InvalidOperationException($"{Directory}: no workload named {name}.");

    /// <summary>The keys a container gets from <c>envFrom</c>, read from the Secrets and ConfigMaps rendered here.</summary>
    public IReadOnlyDictionary<string, string> EnvFrom(V1Container container)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.SecretRef is { } secretRef)
            {
                var secret = One<V1Secret>(secretRef.Name);
                foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
                {
                    values[key] = System.Text.Encoding.UTF8.GetString(value);
                }

                foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
                {
                    values[key] = value;
                }
            }

            if (source.ConfigMapRef is { } mapRef)
            {
                foreach (var (key, value) in One<V1ConfigMap>(mapRef.Name).Data ?? new Dictionary<string, string>())
                {
                    values[key] = value;
                }
            }
        }

        return values;
    }

    /// <summary>Every variable a container sets, <c>env</c> over <c>envFrom</c>; values from the downward API read as null.</summary>
    public IReadOnlyDictionary<string, string?> Environment(V1Container container)
    {
        var values = EnvFrom(container).ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        foreach (var env in container.Env ?? [])
        {
            values[env.Name] = env.ValueFrom is null ? env.Value ?? "" : null;
        }

        return values;
    }

    private static async Task<Manifests> RenderUncachedAsync(string directory)
    {
        var kubectl = Tool.Require("kubectl", "kubectl");
        var result = await Tool.RunAsync(kubectl, ["kustomize", Repo.Path("deploy", "k8s", directory)], TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed ({result.ExitCode}):\n{result.Error}");
        }

        return new Manifests(directory, result.Output, Load(result.Output));
    }
}

/// <summary>A Deployment or Job and the pods it makes.</summary>
internal sealed record Workload(string Kind, string Name, V1ObjectMeta Metadata, V1PodTemplateSpec Template)
{
    public V1PodSpec Pod => Template.Spec;

    public IEnumerable<V1Container> AllContainers => (Pod.InitContainers ?? []).Concat(Pod.Containers);

    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>Label selector matching as the API server does it for matchLabels.</summary>
internal static class Labels
{
    public static bool Match(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null
        && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    public static bool Match(V1LabelSelector? selector, IDictionary<string, string>? labels) =>
        selector is not null && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0)
        && Match(selector.MatchLabels, labels);
}
