using System.CommandLine;
using System.Runtime.InteropServices;
using Quarry.Probe;

namespace Quarry.Cli;

/// <summary><c>quarry probe</c>: asks a recommendation server for songs, once or continuously, and reports availability.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "Server address (e.g. http://127.0.0.1:8080) or the full /api/recommend URL." };
        var songs = new Argument<string[]>("songs") { Description = "Songs to ask recommendations for.", Arity = ArgumentArity.ZeroOrMore };
        var continuous = new Option<bool>("--continuous", "-c") { Description = "Request every --interval and print CSV rows: timestamp,response_ms,version,model_date." };
        var interval = Durations.Option("--interval", "Time between requests in continuous mode (default 1s).", TimeSpan.FromSeconds(1));
        var changes = new Option<bool>("--changes") { Description = "Continuous mode: print only rows where the version, model date or availability changed." };
        var duration = Durations.Option("--duration", "Continuous mode: stop after this long and print the summary (default: run until Ctrl+C).");
        var timeout = Durations.Option("--timeout", "Longest wait for one answer (default 5s).", TimeSpan.FromSeconds(5));
        var command = new Command("probe", "Availability and latency client for a recommendation server.")
        {
            url, songs, continuous, interval, changes, duration, timeout,
        };
        command.SetAction(async (parse, _) =>
        {
            ProbeSettings settings;
            try
            {
                settings = new ProbeSettings(
                    ProbeSettings.ResolveEndpoint(parse.GetValue(url)!),
                    parse.GetValue(songs) ?? [],
                    Positive(parse.GetValue(interval), "--interval"),
                    Positive(parse.GetValue(timeout), "--timeout"),
                    parse.GetValue(duration),
                    parse.GetValue(changes));
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }

            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var client = new ProbeClient(http, Console.Out, Console.Error, TimeProvider.System);
            if (!parse.GetValue(continuous))
            {
                return await client.OnceAsync(settings, CancellationToken.None);
            }

            using var stop = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return await client.ContinuousAsync(settings, stop.Token);

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true; // finish the summary instead of dying mid-line
                stop.Cancel();
            }
        });
        return command;
    }

    private static TimeSpan Positive(TimeSpan? value, string name) =>
        value is { } v && v > TimeSpan.Zero ? v : throw new ArgumentException($"{name} must be longer than zero.");
}
