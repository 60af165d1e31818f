using System.CommandLine;
using Quarry.Playlists.Data;

namespace Quarry.Cli;

/// <summary><c>quarry datasets</c>: make seeded synthetic datasets for demos, tests and benchmarks.</summary>
internal static class DatasetsCommand
{
    public static Command Create()
    {
        var make = new Command("make", "Generate a seeded synthetic dataset.");
        make.Add(Playlists());
        make.Add(MoviesCommands.MakeMovies());
        return new Command("datasets", "Synthetic datasets for demos, tests and benchmarks.") { make };
    }

    private static Command Playlists()
    {
        var defaults = new PlaylistGeneratorOptions();
        var output = new Option<string>("--out", "-o") { Description = "CSV file to write.", DefaultValueFactory = _ => "playlists.csv" };
        var playlists = new Option<int>("--playlists") { Description = "Number of playlists.", DefaultValueFactory = _ => defaults.Playlists };
        var songs = new Option<int>("--songs") { Description = "Number of distinct songs.", DefaultValueFactory = _ => defaults.Songs };
        var meanLength = new Option<double>("--mean-length") { Description = "Average songs per playlist.", DefaultValueFactory = _ => defaults.MeanLength };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same file.", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("playlists", "Playlists with popular songs and correlated groups, in the pid,name,album_name,artist_name,duration_ms,track_name schema.")
        {
            output, playlists, songs, meanLength, seed,
        };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(() =>
        {
            var path = Path.GetFullPath(parse.GetValue(output)!);
            var options = defaults with
            {
                Playlists = parse.GetValue(playlists),
                Songs = parse.GetValue(songs),
                MeanLength = parse.GetValue(meanLength),
                Seed = parse.GetValue(seed),
            };
            PlaylistGenerator.WriteFile(path, options, cancellationToken);
            Console.WriteLine($"Wrote {options.Playlists:N0} playlists over {options.Songs:N0} songs to {path}");
            return Task.FromResult(0);
        }));
        return command;
    }
}
