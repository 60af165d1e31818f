using System.CommandLine;
using Quarry.Playlists;
using Quarry.Playlists.Training;

namespace Quarry.Cli;

/// <summary><c>quarry train</c>: offline training; each model kind is a subcommand.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model offline and publish it to the data directory; running servers pick it up without restarting.");
        command.Add(Playlists());
        command.Add(MoviesCommands.Train());
        command.Add(DiabetesCommands.Train());
        return command;
    }

    private static Command Playlists()
    {
        var dataset = new Option<string?>("--dataset") { Description = "Playlist CSV: http(s) URL, file:// URL, local file or folder of CSVs (env DATASET_URL)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (env DATA_DIR, then QUARRY_DATA_DIR; default ./quarry-data)." };
        var minSupport = new Option<double>("--min-support")
        {
            Description = "Least support of an itemset: a fraction of playlists below 1, or a count of playlists from 1 up.",
            DefaultValueFactory = _ => PlaylistTrainingOptions.DefaultMinSupport,
        };
        var minConfidence = new Option<double>("--min-confidence")
        {
            Description = "Least confidence of a rule, in (0, 1].",
            DefaultValueFactory = _ => PlaylistTrainingOptions.DefaultMinConfidence,
        };
        var maxLength = new Option<int>("--max-length")
        {
            Description = "Longest itemset mined (2..255).",
            DefaultValueFactory = _ => PlaylistTrainingOptions.DefaultMaxLength,
        };
        var force = new Option<bool>("--force") { Description = "Retrain even if this version was already trained on this dataset." };
        var version = new Option<string?>("--model-version") { Description = "Version recorded in the checkpoint and returned by the API (default: this build's version)." };
        var command = new Command("playlists", "Mine association rules from playlists (the ML processor) and publish the model with its checkpoint.")
        {
            dataset, dataDir, minSupport, minConfidence, maxLength, force, version,
        };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(async () =>
        {
            var source = parse.GetValue(dataset) ?? Environment.GetEnvironmentVariable("DATASET_URL");
            if (string.IsNullOrWhiteSpace(source))
            {
                throw new ArgumentException("No dataset given: pass --dataset or set DATASET_URL.");
            }

            var options = new PlaylistTrainingOptions
            {
                Dataset = source,
                DataDir = Path.GetFullPath(CliHost.DataDir(parse.GetValue(dataDir), "DATA_DIR", CommonOptions.DataDirVariable)),
                MinSupport = parse.GetValue(minSupport),
                MinConfidence = parse.GetValue(minConfidence),
                MaxLength = parse.GetValue(maxLength),
                Force = parse.GetValue(force),
                Version = parse.GetValue(version) ?? Core.Hosting.QuarryInfo.Version,
            };
            await using var services = CliHost.Services(s => s.AddPlaylistTraining());
            var progress = new ConsoleProgress();
            var result = await services.GetRequiredService<PlaylistTrainer>().TrainAsync(options, progress, cancellationToken);
            progress.Done();
            Console.WriteLine(result.Skipped
                ? $"Model v{result.Publication.Version} for this dataset is already trained ({result.Publication.ModelDate}); nothing to do. Use --force to retrain."
                : $"Published model v{result.Publication.Version} from {result.Publication.ModelDate}: {result.Data?.Playlists:N0} playlists, " +
                  $"{result.Data?.Songs:N0} songs, {result.Itemsets:N0} frequent itemsets, {result.Rules:N0} rules in {result.Elapsed.TotalSeconds:F2} s.");
            return 0;
        }));
        return command;
    }
}
