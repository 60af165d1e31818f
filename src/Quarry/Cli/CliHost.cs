using Microsoft.Extensions.Logging.Console;
using Quarry.Core.Hosting;
using Quarry.Core.Settings;

namespace Quarry.Cli;

/// <summary>Services for one-shot commands: logs go to stderr so stdout carries only results.</summary>
internal static class CliHost
{
    /// <summary>The services <paramref name="configure"/> adds on the shared basics, with every setting checked.</summary>
    /// <exception cref="BadSettingsException">A setting is bad; <see cref="RunAsync"/> reports it and exits with code 2.</exception>
    public static ServiceProvider Services(Action<IServiceCollection> configure, string? dataDir = null)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        QuarryApp.ApplyDataDir(configuration, dataDir);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddQuarryBasics();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddFilter("System.Net.Http", LogLevel.Warning);
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        configure(services);
        SettingsServices.CheckFormats(services, configuration);
        var provider = services.BuildServiceProvider();
        var failures = SettingsServices.Failures(provider);
        if (failures.Count > 0)
        {
            provider.Dispose();
            throw new BadSettingsException(failures);
        }

        return provider;
    }

    /// <summary>The data directory: the option, then each environment variable in turn, then ./quarry-data.</summary>
    public static string DataDir(string? option, params string[] variables) =>
        option ?? variables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? "quarry-data";

    /// <summary>Runs a command body, turning expected failures into a message and exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (BadSettingsException e)
        {
            return SettingsServices.Report(e.Failures);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or HttpRequestException
                                      or UnauthorizedAccessException or FileNotFoundException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return 130;
        }
    }
}
