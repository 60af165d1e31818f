using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quarry.Core.Settings;
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
        var command = new Command("worker",
            "Take jobs from the configured backend (Quarry__Jobs__Backend=redis or rabbitmq; embedded works for processes sharing one data dir) and run them.")
        {
            concurrency, workerId, dataDir, shutdown,
        };
        command.SetAction(async (parse, _) =>
        {
            if (parse.GetValue(concurrency) is < 1 or > 1024)
            {
                return SettingsServices.Report([$"--concurrency must be from 1 to 1024 (was {parse.GetValue(concurrency)})"]);
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            QuarryApp.ApplyDataDir(builder.Configuration, parse.GetValue(dataDir));
            QuarryApp.ConfigureLogging(builder.Logging);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = parse.GetValue(shutdown) ?? TimeSpan.FromSeconds(30));
            builder.Services.AddHealthChecks();
            builder.Services.AddJobs().AddJobWorker(parse.GetValue(workerId), parse.GetValue(concurrency));
            builder.Services.AddPredictWorker(); // prediction jobs need the model, loaded from the shared data dir
            try
            {
                SettingsServices.CheckFormats(builder.Services, builder.Configuration);
                using var host = builder.Build();
                if (SettingsServices.Failures(host.Services) is { Count: > 0 } failures)
                {
                    return SettingsServices.Report(failures);
                }

                await host.RunAsync(CancellationToken.None); // the host's own SIGTERM handling drives shutdown
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

            return 0;
        });
        return command;
    }
}
