using System.CommandLine;
using Quarry.Core.Datasets;
using Quarry.Core.Hosting;
using Quarry.Playlists.Training;
using Quarry.Vision.Datasets;
using Quarry.Vision.Model;
using Quarry.Vision.Training;

namespace Quarry.Cli;

/// <summary><c>quarry classify</c>: one digit-classification training job, what a child process or a Kubernetes Job runs.</summary>
internal static class ClassifyCommand
{
    /// <summary>Mirrors tried instead of each dataset's defaults, separated by ';' or spaces.</summary>
    public const string MirrorsVariable = "QUARRY_DATASET_MIRRORS";

    public static Command Create()
    {
        var dataset = new Option<string?>("--dataset") { Description = $"Dataset: {DigitDataset.Names} (env DATASET)." };
        var model = new Option<string?>("--model") { Description = "Network: ff (feed-forward) or cnn (convolutional; cnv also accepted) (env TYPE)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per optimiser step.", DefaultValueFactory = _ => 100 };
        var learningRate = new Option<float>("--learning-rate") { Description = "Adam's learning rate.", DefaultValueFactory = _ => 0.001f };
        var seed = new Option<int>("--seed") { Description = "Seeds the initial weights and the shuffles; same seed and threads, same model.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Threads (default: the CPUs this process may use, honouring a cgroup CPU quota)." };
        var dataDir = CommonOptions.DataDir();
        var datasetDir = new Option<string?>("--dataset-dir") { Description = "Folder holding the four idx files (gzip or raw); nothing is downloaded." };
        var mirrors = new Option<string[]>("--mirror")
        {
            Description = $"Base address to download the dataset from, tried in order; repeatable (env {MirrorsVariable}; default: the published mirrors).",
            AllowMultipleArgumentsPerToken = false,
        };
        var outDir = new Option<string?>("--out") { Description = "Folder for result.json, progress.json and the model (default: <data dir>/classify/runs/<model>-<dataset>-<time>)." };
        var command = new Command("classify", "Train a digit classifier (ff or cnn) on mnist, kmnist or fashion-mnist, test it and publish the model.")
        {
            dataset, model, epochs, batchSize, learningRate, seed, threads, dataDir, datasetDir, mirrors, outDir,
        };
        command.SetAction((parse, cancellationToken) => CliHost.RunAsync(async () =>
        {
            var datasetName = parse.GetValue(dataset) ?? Environment.GetEnvironmentVariable("DATASET");
            var chosen = DigitDataset.Find(datasetName);
            if (chosen is null)
            {
                return Usage(datasetName is null
                    ? $"no dataset given: pass --dataset or set DATASET to one of {DigitDataset.Names}"
                    : $"--dataset must be one of {DigitDataset.Names} (was '{datasetName}')");
            }

            var modelName = parse.GetValue(model) ?? Environment.GetEnvironmentVariable("TYPE") ?? "ff";
            if (ModelNames.Parse(modelName) is not { } kind)
            {
                return Usage($"--model must be ff or cnn (was '{modelName}')");
            }

            var data = Path.GetFullPath(CliHost.DataDir(parse.GetValue(dataDir), CommonOptions.DataDirVariable));
            var mirrorList = parse.GetValue(mirrors) is { Length: > 0 } given
                ? given
                : (Environment.GetEnvironmentVariable(MirrorsVariable) ?? "").Split([';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new ClassifyOptions
            {
                Dataset = chosen,
                Model = kind,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads) ?? Environment.ProcessorCount,
                DataDir = data,
                DatasetDir = parse.GetValue(datasetDir),
                Mirrors = mirrorList,
                OutDir = Path.GetFullPath(parse.GetValue(outDir)
                    ?? Path.Combine(data, "classify", "runs", $"{ModelNames.Of(kind)}-{chosen.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}")),
                Version = QuarryInfo.Version,
            };
            if (options.Validate() is { } problem)
            {
                return Usage(problem);
            }

            await using var services = CliHost.Services(_ => { });
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromMinutes(10) };
            var fetcher = new DatasetFetcher(http, services.GetRequiredService<ILogger<DatasetFetcher>>()) { MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(500) };
            var progress = new ConsoleProgress();
            var job = new ClassifyJob(new DigitDatasetStore(fetcher), TimeProvider.System);
            await job.RunAsync(options, Console.Out, file => Download(progress, file), cancellationToken);
            progress.Done();
            return 0;
        }));
        return command;
    }

    private static Progress<TransferProgress> Download(ConsoleProgress progress, string file) =>
        new(p => progress.Report(new TrainingProgress(
            "download",
            p.TotalBytes is > 0 ? (double)p.Bytes / p.TotalBytes.Value : null,
            $"{file} {p.Bytes / 1024.0 / 1024.0:F1} MB")));

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}
