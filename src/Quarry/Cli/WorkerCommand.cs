using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quarry.Core.Settings;
using Quarry.Core.Telemetry;
using Quarry.Jobs;
using Quarry.Predict;

namespace Quarry.Cli;

/// <summary><c>quarry worker</c>: runs jobs from the configured backend until SIGTERM.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Jobs run at once by this process.",
            DefaultValueFactory = _ => 8,
        };
        var workerId = new Option<string?>("--worker-id") { Description = "Id recorded on the jobs this worker runs (default: POD_NAME, POD_IP, or host name and process id)." };
        var dataDir = CommonOptions.DataDir();
        var shutdown = Durations.Option("--shutdown-timeout", "On SIGTERM, how long running jobs may finish before they are handed back (default 30s).", TimeSpan.FromSeconds(30));
        var metricsUrls = new Option<string?>("--metrics-urls")
        {
            Description = $"Serve /metrics (Prometheus text) on these addresses, separated by ';', e.g. http://0.0.0.0:9464 (env {MetricsUrls.Variable}; default: not served).",
        };
        var command = new Command("worker",
            "Take jobs from the configured backend (Quarry__Jobs__Backend=redis or rabbitmq; embedded works for processes sharing one data dir) and run them.")
        {
            concurrency, workerId, dataDir, shutdown, metricsUrls,
        };
        command.SetAction(async (parse, _) =>
        {
            if (parse.GetValue(concurrency) is < 1 or > 1024)
            {
                return SettingsServices.Report([$"--concurrency must be from 1 to 1024 (was {parse.GetValue(concurrency)})"]);
            }

            string[]? scrapeUrls = null;
            if ((parse.GetValue(metricsUrls) ?? Environment.GetEnvironmentVariable(MetricsUrls.Variable)) is { } given)
            {
                (scrapeUrls, var problem) = MetricsUrls.Parse(given);
                if (problem is not null)
                {
                    return SettingsServices.Report([problem]);
                }
            }

            // With somewhere to serve /metrics the worker is a small web host; without, a plain one that listens on nothing.
            var settings = new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory };
            WebApplicationBuilder? web = scrapeUrls is null ? null : WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            IHostApplicationBuilder builder = web ?? (IHostApplicationBuilder)Host.CreateApplicationBuilder(settings);
            web?.WebHost.UseUrls(scrapeUrls!);
            QuarryApp.ApplyDataDir(builder.Configuration, parse.GetValue(dataDir));
            QuarryApp.ConfigureLogging(builder.Logging);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = parse.GetValue(shutdown) ?? TimeSpan.FromSeconds(30));
            builder.Services.AddHealthChecks();
            builder.Services.AddJobs().AddJobWorker(parse.GetValue(workerId), parse.GetValue(concurrency));
            builder.Services.AddPredictWorker(); // prediction jobs need the model, loaded from the shared data dir
            IHost host;
            try
            {
                SettingsServices.CheckFormats(builder.Services, builder.Configuration);
                builder.AddQuarryTelemetry("worker", prometheus: scrapeUrls is not null);
                if (web is not null)
                {
                    var app = web.Build();
                    app.MapQuarryMetrics();
                    host = app;
                }
                else
                {
                    host = ((HostApplicationBuilder)builder).Build();
                }
            }
            catch (BadSettingsException e)
            {
                return SettingsServices.Report(e.Failures);
            }
            catch (OptionsValidationException e)
            {
                return SettingsServices.Report(e.Failures);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }

            using (host)
            {
                if (SettingsServices.Failures(host.Services) is { Count: > 0 } failures)
                {
                    return SettingsServices.Report(failures);
                }

                try
                {
                    await host.RunAsync(CancellationToken.None); // the host's own SIGTERM handling drives shutdown
                }
                catch (OptionsValidationException e)
                {
                    return SettingsServices.Report(e.Failures);
                }
                catch (InvalidOperationException e)
                {
                    await Console.Error.WriteLineAsync($"error: {e.Message}");
                    return 1;
                }
                catch (IOException e)
                {
                    await Console.Error.WriteLineAsync($"error: --metrics-urls: cannot listen: {e.Message}");
                    return 1;
                }
            }

            return 0;
        });
        return command;
    }
}
