using System.Text.Json;
using System.Text.RegularExpressions;
using Quarry.Core.Datasets;
using Quarry.Learn.Data;
using Quarry.Learn.Neural;
using Quarry.Vision.Datasets;
using Quarry.Vision.Model;
using Quarry.Vision.Training;
using Quarry.TestSupport;

namespace Quarry.Vision.Tests;

public sealed partial class ClassifyJobTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Prints_the_original_scripts_lines_in_order()
    {
        var output = new StringWriter();
        await RunAsync(NetworkKind.FeedForward, output, train: 1000, epochs: 2, batch: 5);

        // 1000 images in batches of 5 is 200 steps an epoch: a log line at steps 100 and 200 of each epoch.
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.Equal("dataset: mnist", lines[0]);
        string[] steps = ["1/2], Step [100/200", "1/2], Step [200/200", "2/2], Step [100/200", "2/2], Step [200/200"];
        for (var i = 0; i < 4; i++)
        {
            Assert.Matches(StepLine(), lines[i + 1]);
            Assert.StartsWith($"Epoch [{steps[i]}], Loss: ", lines[i + 1], StringComparison.Ordinal);
        }

        Assert.Matches(AccuracyLine(), lines[5]);
        Assert.Matches(TimeLine(), lines[6]);
    }

    [Fact]
    public async Task Writes_the_result_and_progress_files_and_publishes_a_readable_model()
    {
        var output = new StringWriter();
        var result = await RunAsync(NetworkKind.Convolutional, output, train: 600, epochs: 2, batch: 20);

        Assert.Equal(("mnist", "cnn", 2, 20, 1), (result.Dataset, result.Model, result.Epochs, result.BatchSize, result.Threads));
        Assert.Equal(2, result.EpochLoss.Length);
        Assert.All(result.EpochSeconds, s => Assert.True(s > 0));
        Assert.Equal(200, result.Tested);
        Assert.Equal(result.Correct / 200.0, result.Accuracy);
        Assert.True(result.Accuracy > 0.8, $"accuracy {result.Accuracy}");
        var percent = (int)Math.Floor(result.Accuracy * 100);
        Assert.Contains($"Accuracy of the network on the 10K test images: {percent} %", output.ToString(), StringComparison.Ordinal);

        var run = _folder.File("run");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, ClassifyJob.ResultFileName), Ct));
        Assert.Equal("cnn", json.RootElement.GetProperty("model").GetString());
        Assert.Equal(result.Accuracy, json.RootElement.GetProperty("accuracy").GetDouble());
        Assert.Equal(2, json.RootElement.GetProperty("epochLoss").GetArrayLength());

        using var progress = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, ClassifyJob.ProgressFileName), Ct));
        var root = progress.RootElement;
        Assert.Equal("succeeded", root.GetProperty("state").GetString());
        Assert.Equal(1.0, root.GetProperty("fraction").GetDouble());
        Assert.Equal((2, 30, 30), (root.GetProperty("epoch").GetInt32(), root.GetProperty("step").GetInt32(), root.GetProperty("steps").GetInt32()));
        var curve = root.GetProperty("lossCurve").EnumerateArray().Select(p => (Step: p[0].GetDouble(), Loss: p[1].GetDouble())).ToList();
        Assert.Equal([20, 30, 50, 60], curve.Select(p => p.Step));
        Assert.True(curve[^1].Loss < curve[0].Loss);

        var models = ClassifyJob.Models(_folder.File("data"), "mnist");
        var publication = models.ReadCheckpoint();
        Assert.NotNull(publication);
        Assert.Equal(result.Artifact, models.ArtifactPath(publication));
        var model = DigitModelFile.Read(result.Artifact);
        Assert.Equal((NetworkKind.Convolutional, "mnist", result.Accuracy), (model.Network.Kind, model.Dataset, model.Accuracy));
        Assert.Equal(await File.ReadAllBytesAsync(result.Artifact, Ct), await File.ReadAllBytesAsync(Path.Combine(run, ClassifyJob.ModelFileName), Ct));
    }

    [Fact]
    public async Task A_failed_job_marks_its_progress_file_failed()
    {
        var own = _folder.File("own");
        SyntheticImages.WriteMnistLayout(own, train: 50, test: 10, seed: 2);
        var truncated = Path.Combine(own, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..200]);
        var job = new ClassifyJob(new DigitDatasetStore(new DatasetFetcher(_http)), TimeProvider.System);
        var options = Options(NetworkKind.FeedForward, epochs: 1, batch: 10) with { DatasetDir = own };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => job.RunAsync(options, TextWriter.Null, cancellationToken: Ct));
        Assert.StartsWith(truncated + ":", error.Message, StringComparison.Ordinal);
        using var progress = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(options.OutDir, ClassifyJob.ProgressFileName), Ct));
        Assert.Equal("failed", progress.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public void Options_are_checked_with_one_line_naming_the_option()
    {
        var good = Options(NetworkKind.FeedForward, 5, 100);
        Assert.Null(good.Validate());
        Assert.Equal("--epochs must be from 1 to 1000 (was 0)", (good with { Epochs = 0 }).Validate());
        Assert.Equal("--batch-size must be from 1 to 60000 (was -3)", (good with { BatchSize = -3 }).Validate());
        Assert.StartsWith("--learning-rate must be above 0", (good with { LearningRate = float.NaN }).Validate(), StringComparison.Ordinal);
        Assert.StartsWith("--threads must be from 1 to", (good with { Threads = 10_000 }).Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Model_names_follow_the_original_including_cnv()
    {
        Assert.Equal(NetworkKind.Convolutional, ModelNames.Parse("cnv"));
        Assert.Equal(NetworkKind.Convolutional, ModelNames.Parse("CNN"));
        Assert.Equal(NetworkKind.FeedForward, ModelNames.Parse("ff"));
        Assert.Null(ModelNames.Parse("rnn"));
    }

    [Fact]
    public async Task A_damaged_model_file_is_refused()
    {
        var network = ImageNetwork.Create(NetworkKind.FeedForward, new Random(1));
        using var stream = new MemoryStream();
        await DigitModelFile.WriteAsync(new DigitModel(network, "kmnist", 0.5, 3, 9), stream, Ct);
        var bytes = stream.ToArray();
        var read = DigitModelFile.Read(bytes);
        Assert.Equal(("kmnist", 0.5, 3, 9), (read.Dataset, read.Accuracy, read.Epochs, read.Seed));
        Assert.Equal(network.ExportParameters(), read.Network.ExportParameters());

        bytes[bytes.Length / 2] ^= 0x40;
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => DigitModelFile.Read(bytes)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => DigitModelFile.Read(bytes.AsSpan(0, 40)));
    }

    private async Task<ClassifyResult> RunAsync(NetworkKind kind, TextWriter output, int train = 600, int epochs = 1, int batch = 20)
    {
        var own = _folder.File("own");
        SyntheticImages.WriteMnistLayout(own, train, test: 200, seed: 7);
        var job = new ClassifyJob(new DigitDatasetStore(new DatasetFetcher(_http)), TimeProvider.System);
        return await job.RunAsync(Options(kind, epochs, batch) with { DatasetDir = own }, output, cancellationToken: Ct);
    }

    private ClassifyOptions Options(NetworkKind kind, int epochs, int batch) => new()
    {
        Dataset = DigitDataset.Mnist,
        Model = kind,
        Epochs = epochs,
        BatchSize = batch,
        DataDir = _folder.File("data"),
        OutDir = _folder.File("run"),
        Version = "1.2.3",
    };

    [GeneratedRegex(@"^Epoch \[\d+/\d+\], Step \[\d+/\d+\], Loss: \d+\.\d{4}$")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^Accuracy of the network on the 10K test images: \d{1,3} %$")]
    private static partial Regex AccuracyLine();

    [GeneratedRegex(@"^Time passed: \d+\.\d{2} sec$")]
    private static partial Regex TimeLine();
}
