using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Quarry.Learn.Tabular;

namespace Quarry.Bench.Diabetes;

/// <summary>
/// The `diabetes` suite: stratified k-fold cross-validation on the Pima Indians file for the majority baseline,
/// logistic regression and the 8→12→8→1 MLP, all with fixed default settings (nothing is tuned on these folds).
/// </summary>
internal static class DiabetesSuite
{
    private const double Target = 0.775;

    public static Task<int> RunAsync(string[] args)
    {
        var options = DiabetesOptions.Parse(args);
        if (!File.Exists(options.DataPath))
        {
            Console.Error.WriteLine($"{options.DataPath} not found (pass --data PATH)");
            return Task.FromResult(2);
        }

        TabularData data;
        using (var reader = File.OpenText(options.DataPath))
        {
            data = DiabetesCsv.Read(reader);
        }

        PrintMachine(options, data);
        var mlp = new MlpOptions([12, 8], Seed: options.Seed);
        Console.WriteLine($"{options.Folds}-fold stratified cross-validation, fold shuffle seed {options.Seed}; standardizer fitted on each training fold");
        Console.WriteLine("| model | settings | accuracy mean ± std | pooled accuracy | ROC AUC (fold mean) | TP / FP / TN / FN | train time, all folds (ms) |");
        Console.WriteLine("|---|---|---:|---:|---:|---|---:|");
        Measure("majority", "predicts the training fold's majority class", data, options, (_, y) => new MajorityClassifier(y));
        var logistic = Measure("logistic regression", "l2 = 1e-3 (≈ C = 1), Newton", data, options, (x, y) => LogisticRegression.Train(x, y));
        var network = Measure("MLP 8→12→8→1", $"Adam lr {mlp.LearningRate}, batch {mlp.BatchSize}, {mlp.Epochs} epochs, l2 {mlp.L2}, init seed {mlp.Seed}", data, options, (x, y) => Mlp.Train(x, y, mlp));
        var early = mlp with { Epochs = 500, Patience = 20 };
        Measure("MLP 8→12→8→1, early stop", $"as above, ≤ {early.Epochs} epochs, patience {early.Patience} on a {early.ValidationFraction:P0} split of the training fold", data, options, (x, y) => Mlp.Train(x, y, early));
        Console.WriteLine();
        foreach (var (name, result) in new[] { ("logistic regression", logistic), ("MLP", network) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"target ≥ {Target:P1} mean CV accuracy, {name}: {(result.MeanAccuracy >= Target ? "MET" : "NOT MET")} ({result.MeanAccuracy:P2})"));
        }

        return Task.FromResult(0);
    }

    private static CrossValidation Measure(string name, string settings, TabularData data, DiabetesOptions options, Func<float[][], int[], IBinaryClassifier> train)
    {
        var training = TimeSpan.Zero;
        var result = CrossValidator.Run(data, options.Folds, options.Seed, (x, y) =>
        {
            var clock = Stopwatch.StartNew();
            var model = train(x, y);
            training += clock.Elapsed;
            return model;
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {settings} | {result.MeanAccuracy:P2} ± {result.StdAccuracy * 100:F2} | {result.PooledAccuracy:P2} | {result.MeanAuc:F4} | {result.TruePositives} / {result.FalsePositives} / {result.TrueNegatives} / {result.FalseNegatives} | {training.TotalMilliseconds:F1} |"));
        return result;
    }

    private static void PrintMachine(DiabetesOptions options, TabularData data)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {cpu ?? "unknown CPU"}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data: {Path.GetFullPath(options.DataPath)}: {data.Rows} rows, {data.Columns} features, {data.Labels.Count(l => l == 1)} positive ({data.Labels.Average():P1})"));
        Console.WriteLine();
    }

    /// <summary>Always predicts the class that is commoner in its training fold, with that class's share as the probability.</summary>
    private sealed class MajorityClassifier(int[] labels) : IBinaryClassifier
    {
        private readonly float positiveShare = (float)labels.Average();

        public float PredictProbability(ReadOnlySpan<float> standardizedRow) => positiveShare;
    }
}
