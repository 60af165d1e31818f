using System.CommandLine;
using System.Globalization;
using Quarry.Core.Datasets;
using Quarry.Learn.Tabular;
using Quarry.Predict;
using Quarry.Predict.Training;

namespace Quarry.Cli;

/// <summary><c>quarry train diabetes</c> and <c>quarry eval diabetes</c>.</summary>
internal static class DiabetesCommands
{
    public static Command Train()
    {
        var dataset = new Option<string?>("--dataset") { Description = "The 9-column CSV (8 features, outcome; header optional): path or http(s) URL. Without it, seeded demo data." };
        var dataDir = CommonOptions.DataDir();
        var seed = new Option<int>("--seed") { Description = "Seed of the held-out split and the cross-validation.", DefaultValueFactory = _ => 42 };
        var command = new Command("diabetes", "Cross-validate logistic regression and the 8→12→8→1 MLP, keep the better, publish it; servers and workers swap it in.")
        {
            dataset, dataDir, seed,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(async () =>
        {
            await using var services = CliHost.Services(s => s.AddPredictWorker().AddDatasetFetcher(), parse.GetValue(dataDir));
            var server = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Hosting.ServerOptions>>().Value;
            var source = parse.GetValue(dataset);
            var (csv, name, demo) = source is null
                ? (DiabetesSynthetic.Csv(), "demo:seed=42", true)
                : (await File.ReadAllTextAsync(await services.GetRequiredService<DatasetFetcher>().FetchAsync(source, server.DataDir, null, false, ct), ct), source, false);
            var result = await services.GetRequiredService<DiabetesTrainer>().TrainAsync(csv, name, demo, Path.GetFullPath(server.DataDir), parse.GetValue(seed), ct);
            foreach (var c in result.Model.Candidates)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Kind,-9} {100 * c.MeanAccuracy:F2}% ± {100 * c.StdAccuracy:F2} (AUC {c.MeanAuc:F3}){(c.Kind == result.Model.Kind ? "  chosen" : "")}"));
            }

            Console.WriteLine($"Published {result.Model.Kind} model v{result.Publication.Version} from {result.Publication.ModelDate}{(demo ? " (demo data)" : "")}.");
            return 0;
        }));
        return command;
    }

    public static Command Eval()
    {
        var dataset = new Option<string>("--dataset") { Description = "The 9-column CSV to evaluate on.", Required = true };
        var folds = new Option<int>("--folds") { Description = "Number of stratified folds.", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fold shuffle.", DefaultValueFactory = _ => 42 };
        var command = new Command("diabetes", "Stratified k-fold accuracy, ROC AUC and confusion matrix of each candidate, next to always-predict-majority.")
        {
            dataset, folds, seed,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(async () =>
        {
            var k = parse.GetValue(folds);
            if (k is < 2 or > 50)
            {
                throw new ArgumentException("--folds must be from 2 to 50.");
            }

            var data = DiabetesCsv.Read(new StringReader(await File.ReadAllTextAsync(parse.GetValue(dataset)!, ct)));
            var positives = data.Labels.Count(l => l == 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{data.Rows} rows, {positives} positive; always-predict-majority accuracy {100.0 * Math.Max(positives, data.Rows - positives) / data.Rows:F2}%"));
            Console.WriteLine("| model | accuracy (mean ± std) | ROC AUC | TP | FP | TN | FN |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (kind, train) in DiabetesTrainer.Candidates)
            {
                var cv = await Task.Run(() => CrossValidator.Run(data, k, parse.GetValue(seed), train), ct);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kind} | {100 * cv.MeanAccuracy:F2}% ± {100 * cv.StdAccuracy:F2} | {cv.MeanAuc:F4} | {cv.TruePositives} | {cv.FalsePositives} | {cv.TrueNegatives} | {cv.FalseNegatives} |"));
            }

            return 0;
        }));
        return command;
    }
}
