using System.Text.Json;
using Quarry.Learn.Data;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Cli;

public sealed class ClassifyCommandTests
{
    [Fact]
    public async Task Trains_from_DATASET_and_TYPE_as_the_original_job_sets_them_and_prints_its_lines()
    {
        using var dir = new TempDirectory();
        var data = Path.Combine(dir.Path, "data");
        SyntheticImages.WriteMnistLayout(Path.Combine(data, "datasets", "kmnist"), train: 500, test: 100, seed: 3);
        var run = Path.Combine(dir.Path, "run");
        await using var process = QuarryProcess.Start("quarry.dll", ["classify", "--epochs", "1", "--batch-size", "5", "--threads", "1", "--out", run],
            new Dictionary<string, string> { ["DATASET"] = "kmnist", ["TYPE"] = "cnv", ["QUARRY_DATA_DIR"] = data });
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(120)));

        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("dataset: kmnist", lines[0]);
        Assert.Matches(@"^Epoch \[1/1\], Step \[100/100\], Loss: \d+\.\d{4}$", lines[1]);
        Assert.Matches(@"^Accuracy of the network on the 10K test images: \d+ %$", lines[2]);
        Assert.Matches(@"^Time passed: \d+\.\d\d sec$", lines[3]);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, "result.json"), TestContext.Current.CancellationToken));
        Assert.Equal("cnn", result.RootElement.GetProperty("model").GetString());
        Assert.Equal("kmnist", result.RootElement.GetProperty("dataset").GetString());
        Assert.True(File.Exists(Path.Combine(data, "classify", "models", "kmnist", "ml_processor_checkpoint.txt")));
    }

    [Theory]
    [InlineData(2, "error: --dataset must be one of mnist, kmnist, fashion-mnist (was 'cifar')", "--dataset", "cifar")]
    [InlineData(2, "error: --model must be ff or cnn (was 'rnn')", "--dataset", "mnist", "--model", "rnn")]
    [InlineData(2, "error: --epochs must be from 1 to 1000 (was 0)", "--dataset", "mnist", "--epochs", "0")]
    [InlineData(2, "error: --learning-rate must be above 0 and at most 1 (was -1)", "--dataset", "mnist", "--learning-rate", "-1")]
    [InlineData(2, "error: --threads must be from 1 to", "--dataset", "mnist", "--threads", "4096")]
    [InlineData(2, "error: Cannot parse argument 'many' for option '--epochs'", "--dataset", "mnist", "--epochs", "many")]
    [InlineData(2, "error: no dataset given: pass --dataset or set DATASET")]
    public async Task A_bad_option_is_one_line_and_exit_code_2(int expectedCode, string expected, params string[] args)
    {
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", ["classify", .. args]);
        Assert.Equal(expectedCode, code);
        AssertOneErrorLine(output, expected);
    }

    [Fact]
    public async Task Missing_truncated_and_unreachable_data_are_one_line_naming_the_file()
    {
        using var dir = new TempDirectory();
        var own = Path.Combine(dir.Path, "own");
        SyntheticImages.WriteMnistLayout(own, train: 50, test: 10, seed: 1);
        File.Delete(Path.Combine(own, "train-labels-idx1-ubyte.gz"));
        var (code, output) = await QuarryProcess.RunAsync("quarry.dll", "classify", "--dataset", "mnist", "--dataset-dir", own, "--data-dir", dir.Path);
        Assert.Equal(1, code);
        AssertOneErrorLine(output, $"error: {Path.Combine(own, "train-labels-idx1-ubyte")}: not found");

        SyntheticImages.WriteMnistLayout(own, train: 50, test: 10, seed: 1);
        var images = Path.Combine(own, "t10k-images-idx3-ubyte.gz");
        await File.WriteAllBytesAsync(images, (await File.ReadAllBytesAsync(images, TestContext.Current.CancellationToken))[..300], TestContext.Current.CancellationToken);
        (code, output) = await QuarryProcess.RunAsync("quarry.dll", "classify", "--dataset", "mnist", "--dataset-dir", own, "--data-dir", dir.Path);
        Assert.Equal(1, code);
        AssertOneErrorLine(output, $"error: {images}:");

        await File.WriteAllTextAsync(images, "<html>404</html>", TestContext.Current.CancellationToken);
        (code, output) = await QuarryProcess.RunAsync("quarry.dll", "classify", "--dataset", "mnist", "--dataset-dir", own, "--data-dir", dir.Path);
        Assert.Equal(1, code);
        AssertOneErrorLine(output, $"error: {images}: not an idx file");

        (code, output) = await QuarryProcess.RunAsync("quarry.dll", "classify", "--dataset", "fashion-mnist", "--data-dir", dir.Path, "--mirror", "http://127.0.0.1:9/");
        Assert.Equal(1, code);
        AssertOneErrorLine(output, "error: ");
        Assert.Contains("could not download fashion-mnist's train-images-idx3-ubyte.gz from any mirror (http://127.0.0.1:9/train-images-idx3-ubyte.gz: Connection refused)", output, StringComparison.Ordinal);
    }

    private static void AssertOneErrorLine(string output, string expectedStart)
    {
        var errors = output.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }
}
