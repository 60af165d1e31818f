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
        make.Add(Digits());
        return new Command("datasets", "Synthetic datasets for demos, tests and benchmarks.") { make };
    }

    private static Command Digits()
    {
        var output = new Option<string>("--out", "-o") { Description = "Folder for the four idx files (MNIST names, gzip).", DefaultValueFactory = _ => "digits" };
        var train = new Option<int>("--train") { Description = "Training images.", DefaultValueFactory = _ => 6000 };
        var test = new Option<int>("--test") { Description = "Test images.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same files.", DefaultValueFactory = _ => 42 };
        var command = new Command("digits", "28×28 ten-class images in the MNIST idx layout, for quarry classify --dataset-dir when no real dataset can be downloaded.")
        {
            output, train, test, seed,
        };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(() =>
        {
            var (folder, trainCount, testCount) = (Path.GetFullPath(parse.GetValue(output)!), parse.GetValue(train), parse.GetValue(test));
            if (trainCount is < 1 or > 1_000_000 || testCount is < 1 or > 1_000_000)
            {
                throw new ArgumentException($"--train and --test must be from 1 to 1000000 (were {trainCount} and {testCount}).");
            }

            Learn.Data.SyntheticImages.WriteMnistLayout(folder, trainCount, testCount, parse.GetValue(seed));
            Console.WriteLine($"Wrote {trainCount:N0} training and {testCount:N0} test images to {folder}");
            return Task.FromResult(0);
        }));
        return command;
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
