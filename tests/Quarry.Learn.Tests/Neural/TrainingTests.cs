using Quarry.Learn.Data;
using Quarry.Learn.Neural;

namespace Quarry.Learn.Tests.Neural;

public sealed class TrainingTests
{
    private static readonly ImageSet Train = SyntheticImages.Make(1200, seed: 21);
    private static readonly ImageSet Test = SyntheticImages.Make(400, seed: 22);

    [Theory]
    [InlineData(NetworkKind.FeedForward)]
    [InlineData(NetworkKind.Convolutional)]
    public void Two_epochs_on_a_small_generated_set_reach_90_percent_on_unseen_images(NetworkKind kind)
    {
        var steps = new List<TrainingStep>();
        var (network, epochLoss) = NetworkTrainer.Train(kind, Train, new TrainingOptions(Epochs: 2, BatchSize: 50, Seed: 3), steps.Add);
        var accuracy = NetworkTrainer.CountCorrect(network, Test) / (double)Test.Count;

        Assert.True(accuracy >= 0.90, $"{kind}: accuracy {accuracy:P1}");
        Assert.Equal(2 * 24, steps.Count);
        Assert.Equal(new TrainingStep(2, 2, 24, 24, steps[^1].Loss), steps[^1]);
        Assert.True(epochLoss[1] < epochLoss[0], $"loss did not fall: {string.Join(", ", epochLoss)}");
        Assert.True(epochLoss[0] < Math.Log(10), "the first epoch's mean loss is below chance");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_same_seed_and_threads_give_the_same_model(int threads)
    {
        var options = new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: 5, Threads: threads);
        var (first, _) = NetworkTrainer.Train(NetworkKind.Convolutional, Train, options);
        var (second, _) = NetworkTrainer.Train(NetworkKind.Convolutional, Train, options);
        Assert.Equal(first.ExportParameters(), second.ExportParameters());

        var (other, _) = NetworkTrainer.Train(NetworkKind.Convolutional, Train, options with { Seed = 6 });
        Assert.NotEqual(first.ExportParameters(), other.ExportParameters());
    }

    [Fact]
    public void Two_threads_learn_as_well_as_one()
    {
        var (one, _) = NetworkTrainer.Train(NetworkKind.FeedForward, Train, new TrainingOptions(Epochs: 1, BatchSize: 50, Seed: 4, Threads: 1));
        var (two, _) = NetworkTrainer.Train(NetworkKind.FeedForward, Train, new TrainingOptions(Epochs: 1, BatchSize: 50, Seed: 4, Threads: 2));
        var a = NetworkTrainer.CountCorrect(one, Test, threads: 1);
        var b = NetworkTrainer.CountCorrect(two, Test, threads: 2);
        Assert.True(Math.Abs(a - b) <= Test.Count * 0.03, $"1 thread {a}, 2 threads {b} of {Test.Count}");
        Assert.Equal(a, NetworkTrainer.CountCorrect(one, Test, threads: 2)); // evaluation does not depend on threads
    }

    [Fact]
    public void Default_initialisation_stays_within_one_over_root_fan_in()
    {
        var network = ImageNetwork.Create(NetworkKind.FeedForward, new Random(1));
        var fc1 = network.ExportParameters().AsSpan(0, 500 * 784).ToArray();
        var bound = 1 / Math.Sqrt(784);
        Assert.All(fc1, w => Assert.InRange(w, -bound, bound));
        Assert.True(fc1.Max() > 0.9 * bound && fc1.Min() < -0.9 * bound, "weights fill their range");
        Assert.InRange(fc1.Average(), -0.001, 0.001);
    }

    [Fact]
    public void Predict_returns_probabilities_and_the_most_likely_class()
    {
        var (network, _) = NetworkTrainer.Train(NetworkKind.Convolutional, Train, new TrainingOptions(Epochs: 2, BatchSize: 50, Seed: 3));
        var probabilities = new float[10];
        var right = 0;
        for (var n = 0; n < 50; n++)
        {
            var pixels = Test.Pixels.AsSpan(n * 784, 784).ToArray().Select(b => (float)b).ToArray();
            var predicted = network.Predict(pixels, probabilities);
            Assert.Equal(1f, probabilities.Sum(), 4);
            Assert.Equal(probabilities.Max(), probabilities[predicted]);
            right += predicted == Test.Labels[n] ? 1 : 0;
        }

        Assert.True(right >= 40, $"{right} of 50");
        Assert.Throws<ArgumentException>(() => network.Predict(new float[100], probabilities));
    }

    [Fact]
    public void Images_that_are_not_28_by_28_are_refused()
    {
        var small = new ImageSet(new byte[4 * 100], new byte[4], 10, 10, 10);
        Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(NetworkKind.FeedForward, small, new TrainingOptions()));
    }
}
