using Quarry.Vision.Service.Kubernetes;

namespace Quarry.Vision.Tests.Kubernetes;

public sealed class ClassifyLogTests
{
    [Fact]
    public void A_running_log_gives_the_last_step_and_the_loss_curve()
    {
        const string Log = "dataset: mnist\nEpoch [1/5], Step [100/600], Loss: 0.2846\nEpoch [1/5], Step [200/600], Loss: 0.1500\r\n";

        var progress = ClassifyLog.Parse(Log, finished: false, out var accuracy);

        Assert.Null(accuracy);
        Assert.Equal(("running", 1, 5, 200, 600), (progress!.State, progress.Epoch, progress.Epochs, progress.Step, progress.Steps));
        Assert.Equal(0.15f, progress.Loss);
        Assert.Equal(200.0 / 3000, progress.Fraction, 9);
        Assert.Equal([[100f, 0.2846f], [200f, 0.15f]], progress.LossCurve);
    }

    [Fact]
    public void A_finished_log_gives_the_accuracy_as_a_fraction()
    {
        const string Log = "Epoch [2/2], Step [600/600], Loss: 0.0312\nAccuracy of the network on the 10K test images: 98 %\nTime passed: 6.10 sec\n";

        var progress = ClassifyLog.Parse(Log, finished: true, out var accuracy);

        Assert.Equal(0.98, accuracy!.Value, 9);
        Assert.Equal(("succeeded", 1.0, 0.98), (progress!.State, progress.Fraction, progress.Accuracy));
        Assert.Equal([1200f, 0.0312f], progress.LossCurve.Single());
    }

    [Theory]
    [InlineData("")]
    [InlineData("dataset: mnist\nDownloading https://example.org/train.gz to /data/train.gz\n")]
    [InlineData("Epoch [x/5], Step [1/2], Loss: 1\nAccuracy of the network: 98 %\n")]
    public void A_log_without_progress_lines_gives_nothing(string log)
    {
        Assert.Null(ClassifyLog.Parse(log, finished: false, out var accuracy));
        Assert.Null(accuracy);
    }
}
