using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Quarry.Core.Artifacts;
using Quarry.Core.Datasets;
using Quarry.Learn.Data;
using Quarry.Learn.Neural;
using Quarry.Vision.Datasets;
using Quarry.Vision.Model;

namespace Quarry.Vision.Training;

/// <summary>
/// One classification training job: resolve the dataset, train, test, publish the model, and report as it goes — on
/// <c>output</c> in the original script's lines, and in <c>progress.json</c> and <c>result.json</c> in the job's folder.
/// </summary>
public sealed class ClassifyJob(DigitDatasetStore store, TimeProvider clock)
{
    /// <summary>Name of the progress file in the job's folder.</summary>
    public const string ProgressFileName = "progress.json";

    /// <summary>Name of the result file in the job's folder.</summary>
    public const string ResultFileName = "result.json";

    /// <summary>Name of the model's copy in the job's folder.</summary>
    public const string ModelFileName = "model." + DigitModelFile.Extension;

    /// <summary>Steps between points of the loss curve (each the mean loss of those steps).</summary>
    public const int CurveStride = 20;

    /// <summary>Steps between the original's log lines.</summary>
    public const int LogStride = 100;

    /// <summary>The folder the models of <paramref name="dataset"/> are published to.</summary>
    public static ArtifactDirectory Models(string dataDir, string dataset) =>
        new(Path.Combine(Path.GetFullPath(dataDir), "classify", "models", dataset), "digits", DigitModelFile.Extension);

    /// <summary>Runs the job; failures are exceptions whose message names the file or setting at fault.</summary>
    public async Task<ClassifyResult> RunAsync(
        ClassifyOptions options, TextWriter output, Func<string, IProgress<TransferProgress>?>? downloadProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var started = Stopwatch.GetTimestamp();
        Directory.CreateDirectory(options.OutDir);
        var progress = new ProgressFile(Path.Combine(options.OutDir, ProgressFileName), options.Epochs);
        try
        {
            await output.WriteLineAsync($"dataset: {options.Dataset.Name}");
            progress.Write("loading");
            var paths = await store.ResolveAsync(
                options.Dataset, options.DataDir, options.DatasetDir, options.Mirrors, output, downloadProgress, cancellationToken);
            var train = Load(paths.TrainImages, paths.TrainLabels);
            var test = Load(paths.TestImages, paths.TestLabels);

            var epochSeconds = new double[options.Epochs];
            var epochStart = Stopwatch.GetTimestamp();
            var window = 0.0;
            var windowSteps = 0;
            void OnStep(TrainingStep step)
            {
                window += step.Loss;
                windowSteps++;
                if (step.Step % LogStride == 0)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Epoch [{step.Epoch}/{step.Epochs}], Step [{step.Step}/{step.StepsPerEpoch}], Loss: {step.Loss:F4}"));
                }

                if (step.Step % CurveStride == 0 || step.Step == step.StepsPerEpoch)
                {
                    progress.Point(step, (float)(window / windowSteps));
                    window = 0;
                    windowSteps = 0;
                }

                if (step.Step == step.StepsPerEpoch)
                {
                    epochSeconds[step.Epoch - 1] = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
                    epochStart = Stopwatch.GetTimestamp();
                }
            }

            var training = new TrainingOptions(options.Epochs, options.BatchSize, options.LearningRate, options.Seed, options.Threads);
            var (network, epochLoss) = NetworkTrainer.Train(options.Model, train, training, OnStep, cancellationToken);
            progress.Write("testing");
            var correct = NetworkTrainer.CountCorrect(network, test, options.Threads);
            var accuracy = (double)correct / test.Count;
            await output.WriteLineAsync($"Accuracy of the network on the 10K test images: {100L * correct / test.Count} %");

            var model = new DigitModel(network, options.Dataset.Name, accuracy, options.Epochs, options.Seed);
            using var bytes = new MemoryStream();
            await DigitModelFile.WriteAsync(model, bytes, cancellationToken);
            var modelCopy = Path.Combine(options.OutDir, ModelFileName);
            await AtomicFile.WriteAsync(modelCopy, (s, ct) => s.WriteAsync(bytes.GetBuffer().AsMemory(0, (int)bytes.Length), ct).AsTask(), cancellationToken);
            var models = Models(options.DataDir, options.Dataset.Name);
            var publication = await models.PublishAsync(
                options.Version, $"{options.Dataset.Name}/{model.ModelName}",
                (s, ct) => s.WriteAsync(bytes.GetBuffer().AsMemory(0, (int)bytes.Length), ct).AsTask(), clock, cancellationToken);

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var result = new ClassifyResult(
                options.Dataset.Name, model.ModelName, options.Epochs, options.BatchSize, options.LearningRate, options.Seed, options.Threads,
                epochLoss, epochSeconds, accuracy, correct, test.Count, seconds, models.ArtifactPath(publication), publication.ModelDate);
            await AtomicFile.WriteTextAsync(
                Path.Combine(options.OutDir, ResultFileName), JsonSerializer.Serialize(result, ClassifyJson.Default.ClassifyResult) + "\n", cancellationToken);
            progress.Write("succeeded", accuracy);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Time passed: {seconds:F2} sec"));
            return result;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            progress.Write("failed");
            throw;
        }
    }

    private static ImageSet Load(string images, string labels)
    {
        var set = ImageSet.Load(images, labels);
        if (set.Rows != ImageNetwork.Side || set.Columns != ImageNetwork.Side)
        {
            throw new InvalidDataException($"{images}: holds {set.Rows}×{set.Columns} images; the networks take {ImageNetwork.Side}×{ImageNetwork.Side}");
        }

        return set;
    }

    /// <summary>Rewrites <c>progress.json</c> atomically, so a reader never sees half a file.</summary>
    private sealed class ProgressFile(string path, int epochs)
    {
        private readonly List<float[]> _curve = [];
        private TrainingStep _last;

        public void Point(TrainingStep step, float meanLoss)
        {
            _last = step;
            var global = ((step.Epoch - 1) * step.StepsPerEpoch) + step.Step;
            _curve.Add([global, meanLoss]);
            Write("running");
        }

        public void Write(string state, double? accuracy = null)
        {
            var done = _last.StepsPerEpoch == 0 ? 0 : (((_last.Epoch - 1) * _last.StepsPerEpoch) + _last.Step) / (double)(epochs * _last.StepsPerEpoch);
            var progress = new ClassifyProgress(
                state, _last.Epoch, epochs, _last.Step, _last.StepsPerEpoch, _last.StepsPerEpoch == 0 ? null : _last.Loss,
                state == "succeeded" ? 1 : done, _curve, accuracy);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(progress, ClassifyJson.Default.ClassifyProgress));
            File.Move(temporary, path, overwrite: true);
        }
    }
}
