using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Quarry.Core.Hosting;
using Quarry.Vision;
using Quarry.Vision.Tests.Kubernetes;

namespace Quarry.Bench.Classification;

/// <summary>
/// <c>GET /config</c> at a fixed rate from a server whose Kubernetes executor watches the tests' fake API server holding
/// <c>--pods</c> pods, next to <c>GET /healthz</c> of the same server at the same rate.
/// Usage: <c>config [--pods 1000] [--rate 100] [--seconds 30]</c>.
/// </summary>
internal static class ConfigSuite
{
    public static async Task<int> RunAsync(string[] args)
    {
        var pods = int.Parse(Arg(args, "--pods") ?? "1000", CultureInfo.InvariantCulture);
        var rate = Arg(args, "--rate") ?? "100";
        var seconds = Arg(args, "--seconds") ?? "30";
        var folder = Directory.CreateTempSubdirectory("quarry-config-bench-").FullName;
        try
        {
            await using var api = await FakeKubernetesApi.StartAsync();
            var namespaces = new[] { "kube-system", "default", "free-service", "monitoring", "ingress" };
            for (var i = 0; i < namespaces.Length; i++)
            {
                api.Cluster.SeedPods(namespaces[i], (pods / namespaces.Length) + (i < pods % namespaces.Length ? 1 : 0));
            }

            var builder = WebApplication.CreateBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["Quarry:DataDir"] = folder;
            builder.Configuration["Quarry:Vision:Executor"] = "kubernetes";
            builder.Configuration["Quarry:Vision:Kubernetes:KubeConfig"] = api.WriteKubeconfig(folder);
            builder.AddQuarryServer();
            builder.Services.AddVision();
            await using var app = builder.Build();
            app.UseQuarryServer();
            app.MapVision();
            await app.StartAsync();
            var url = app.Urls.Single();
            using (var http = new HttpClient())
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while ((await http.GetStringAsync(url + "/config")).Split("\"name\"").Length - 1 < pods)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException("the executor's pod cache never filled");
                    }

                    await Task.Delay(50);
                }

                Console.WriteLine($"/config lists {pods:N0} pods ({(await http.GetByteArrayAsync(url + "/config")).Length:N0} bytes)");
            }

            Console.WriteLine("== GET /healthz (baseline)");
            var healthz = await Load.RateSuite.RunAsync(["--url", url + "/healthz", "--rate", rate, "--seconds", seconds]);
            Console.WriteLine("== GET /config");
            var config = await Load.RateSuite.RunAsync(["--url", url + "/config", "--rate", rate, "--seconds", seconds]);
            Console.WriteLine($"fake API server calls: {api.CallSummary()}");
            return healthz | config;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
