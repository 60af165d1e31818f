using System.CommandLine;
using Microsoft.Extensions.Options;
using Quarry.Core.Settings;

namespace Quarry.Cli;

/// <summary><c>quarry serve</c>: the HTTP API and web UI.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls")
        {
            Description = $"Addresses to listen on, separated by ';' (default {QuarryApp.DefaultUrls}; env ASPNETCORE_URLS).",
        };
        var dataDir = CommonOptions.DataDir();
        var command = new Command("serve", "Serve the HTTP API and web UI; with no backends configured, also runs workers and stores in-process.")
        {
            urls,
            dataDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ServeSettings(parse.GetValue(urls), parse.GetValue(dataDir));
            try
            {
                await using var app = QuarryApp.Build(settings);
                var failures = SettingsServices.Failures(app.Services);
                if (failures.Count > 0)
                {
                    return SettingsServices.Report(failures);
                }

                await app.RunAsync();
                return 0;
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
                // A capability that cannot start safely (e.g. the playground without isolation) stops the server before it serves.
                await Console.Error.WriteLineAsync($"error: the server did not start: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
