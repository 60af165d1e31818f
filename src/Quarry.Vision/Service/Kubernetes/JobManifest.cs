using System.Globalization;
using k8s.Models;
using Quarry.Vision.Model;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>The <c>batch/v1</c> Job that trains one classification job, and the labels the executor finds it by.</summary>
internal static class JobManifest
{
    public const string AppLabel = "app.kubernetes.io/name";
    public const string AppName = "quarry-classify";
    public const string TierLabel = "quarry.io/tier";
    public const string ModelLabel = "quarry.io/model";
    public const string DatasetLabel = "quarry.io/dataset";
    public const string JobNameLabel = "job-name";
    public const string ControllerUidLabel = "controller-uid";
    public const string ContainerName = "classify";

    /// <summary>The label selector of every Job this executor creates.</summary>
    public static string Selector => $"{AppLabel}={AppName}";

    /// <summary>The Job for <paramref name="tier"/> on <paramref name="dataset"/>.</summary>
    public static V1Job Build(Tier tier, string dataset, VisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = ModelNames.Of(Tiers.Model(tier));
        var labels = new Dictionary<string, string>
        {
            [AppLabel] = AppName,
            [TierLabel] = Tiers.Name(tier),
            [ModelLabel] = model,
            [DatasetLabel] = dataset,
        };
        var cpu = new ResourceQuantity(CpuQuantity(options.CpuLimit));
        var k8s = options.Kubernetes;
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"{model}-{dataset}-",
                NamespaceProperty = Tiers.Namespace(tier),
                Labels = labels,
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = k8s.BackoffLimit,
                TtlSecondsAfterFinished = k8s.TtlSecondsAfterFinished,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        ServiceAccountName = string.IsNullOrWhiteSpace(k8s.ServiceAccount) ? null : k8s.ServiceAccount,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = ContainerName,
                                Image = k8s.Image,
                                // No command: the image's ENTRYPOINT (/app/quarry) runs these; quarry is on no PATH there.
                                Args = ["classify", "--epochs", options.Epochs.ToString(CultureInfo.InvariantCulture)],
                                Env =
                                [
                                    new V1EnvVar { Name = "DATASET", Value = dataset },
                                    new V1EnvVar { Name = "TYPE", Value = model },
                                ],
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = cpu },
                                    Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new ResourceQuantity(cpu.ToString()) },
                                },
                            },
                        ],
                    },
                },
            },
        };
    }

    /// <summary>Cores as a Kubernetes quantity in millicores: 0.9 is <c>900m</c>.</summary>
    public static string CpuQuantity(double cores) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (long)Math.Round(cores * 1000))}m");
}
