using Quarry.Learn.Data;
using Quarry.Learn.Neural;

namespace Quarry.Learn.Tests.Neural;

public sealed class GradientCheckTests
{
    private const int Batch = 4;

    [Theory]
    [InlineData(NetworkKind.FeedForward)]
    [InlineData(NetworkKind.Convolutional)]
    public void Backward_matches_central_differences_in_every_layer(NetworkKind kind)
    {
        var network = ImageNetwork.Create(kind, new Random(7));
        var images = SyntheticImages.Make(Batch, seed: 3);
        var workspace = network.CreateWorkspace(Batch);
        network.Load(images, Enumerable.Range(0, Batch).ToArray(), workspace);

        Loss(network, workspace);
        network.Backward(workspace, Batch);
        var analytic = network.ToStandardOrder(workspace.Gradients);
        var reference = network.ExportParameters().Select(v => (double)v).ToArray();

        var random = new Random(11);
        var checkedCount = 0;
        foreach (var (name, offset, length) in Layers(kind))
        {
            var worst = 0.0;
            var detail = "";
            for (var probe = 0; probe < 25; probe++)
            {
                var i = offset + random.Next(length);
                var numeric = CentralDifference(kind, reference, images, i);
                var error = Math.Abs(numeric - analytic[i]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(analytic[i]));
                if (error > worst)
                {
                    worst = error;
                    detail = $"parameter {i}: numeric {numeric:G4}, analytic {analytic[i]:G4}";
                }
                checkedCount++;
            }

            Assert.True(worst < 2e-2, $"{kind} {name}: worst relative error {worst:G3} at {detail}");
        }

        Assert.True(checkedCount >= 100);
    }

    [Theory]
    [InlineData(NetworkKind.FeedForward)]
    [InlineData(NetworkKind.Convolutional)]
    public void Forward_matches_the_layers_written_out_in_double_precision(NetworkKind kind)
    {
        var network = ImageNetwork.Create(kind, new Random(5));
        var images = SyntheticImages.Make(Batch, seed: 9);
        var workspace = network.CreateWorkspace(Batch);
        network.Load(images, Enumerable.Range(0, Batch).ToArray(), workspace);
        network.Forward(workspace, Batch);
        var expected = ReferenceNetwork.Logits(kind, [.. network.ExportParameters().Select(v => (double)v)], images);
        for (var n = 0; n < Batch; n++)
        {
            for (var c = 0; c < 10; c++)
            {
                Assert.Equal(expected[n][c], workspace.Logits[(n * 10) + c], 4);
            }
        }
    }

    [Fact]
    public void Feed_forward_batch_with_blank_pixels_runs_on_the_used_pixels_and_matches_the_reference()
    {
        var network = ImageNetwork.Create(NetworkKind.FeedForward, new Random(13));
        var workspace = network.CreateWorkspace(Batch);

        // A batch that uses every pixel first, so stale gradients would show if the blank batch left them behind.
        var dense = SyntheticImages.Make(Batch, seed: 21);
        Array.Fill(dense.Pixels, (byte)9, 0, 784);
        network.Load(dense, Enumerable.Range(0, Batch).ToArray(), workspace);
        Loss(network, workspace);
        network.Backward(workspace, Batch);

        // The top twelve rows blank in every image: 336 of 784 pixels unused, below the threshold for the narrower product.
        var images = SyntheticImages.Make(Batch, seed: 17);
        for (var n = 0; n < Batch; n++)
        {
            Array.Clear(images.Pixels, n * 784, 12 * 28);
        }

        network.Load(images, Enumerable.Range(0, Batch).ToArray(), workspace);
        Loss(network, workspace);
        var parameters = network.ExportParameters().Select(v => (double)v).ToArray();
        var expected = ReferenceNetwork.Logits(NetworkKind.FeedForward, parameters, images);
        for (var n = 0; n < Batch; n++)
        {
            for (var c = 0; c < 10; c++)
            {
                Assert.Equal(expected[n][c], workspace.Logits[(n * 10) + c], 4);
            }
        }

        network.Backward(workspace, Batch);
        var analytic = network.ToStandardOrder(workspace.Gradients);
        for (var j = 0; j < FeedForwardNetwork.Hidden; j++)
        {
            for (var i = 0; i < 12 * 28; i++)
            {
                Assert.Equal(0f, analytic[(j * 784) + i]);
            }
        }

        var random = new Random(5);
        for (var probe = 0; probe < 40; probe++)
        {
            var index = probe < 30 ? (random.Next(FeedForwardNetwork.Hidden) * 784) + (12 * 28) + random.Next(784 - (12 * 28)) : (500 * 784) + random.Next(500);
            var numeric = CentralDifference(NetworkKind.FeedForward, parameters, images, index);
            var error = Math.Abs(numeric - analytic[index]) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(analytic[index]));
            Assert.True(error < 2e-2, $"parameter {index}: numeric {numeric:G4}, analytic {analytic[index]:G4}");
        }
    }

    [Fact]
    public void Softmax_cross_entropy_gradient_matches_central_differences()
    {
        float[] logits = [0.3f, -1.2f, 2.0f, 0.0f, 0.5f, 1.5f];
        byte[] labels = [2, 0];
        var gradient = new float[6];
        SoftmaxCrossEntropy.Compute(logits, labels, 2, 3, 0.5f, gradient);
        for (var i = 0; i < logits.Length; i++)
        {
            var plus = (double[])[.. logits.Select(v => (double)v)];
            var minus = (double[])[.. logits.Select(v => (double)v)];
            plus[i] += 1e-4;
            minus[i] -= 1e-4;
            var numeric = (ExactLoss(plus, labels) - ExactLoss(minus, labels)) / 2e-4 * 0.5;
            Assert.Equal(numeric, gradient[i], 4);
        }
    }

    [Fact]
    public void Softmax_cross_entropy_loss_is_the_negative_log_probability_of_the_label()
    {
        float[] logits = [1000f, 0f, -1000f];
        var loss = SoftmaxCrossEntropy.Compute(logits, [1], 1, 3, 1f, new float[3]);
        Assert.Equal(1000.0, loss, 3); // stable for huge logits: no overflow to infinity
        var uniform = SoftmaxCrossEntropy.Compute([0f, 0f, 0f, 0f], [3], 1, 4, 1f, new float[4]);
        Assert.Equal(Math.Log(4), uniform, 5);
    }

    private static double ExactLoss(double[] logits, byte[] labels)
    {
        var loss = 0.0;
        for (var r = 0; r < labels.Length; r++)
        {
            var row = logits.AsSpan(r * 3, 3);
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(z => Math.Exp(z - max));
            loss += Math.Log(sum) + max - row[labels[r]];
        }

        return loss;
    }

    private static IEnumerable<(string Name, int Offset, int Length)> Layers(NetworkKind kind)
    {
        if (kind == NetworkKind.FeedForward)
        {
            const int h = FeedForwardNetwork.Hidden;
            yield return ("fc1.weight", 0, h * 784);
            yield return ("fc1.bias", h * 784, h);
            yield return ("fc2.weight", (h * 784) + h, 10 * h);
            yield return ("fc2.bias", (h * 784) + h + (10 * h), 10);
        }
        else
        {
            const int flat = ConvolutionalNetwork.Flat;
            const int h = ConvolutionalNetwork.Hidden;
            yield return ("conv.weight", 0, 27);
            yield return ("conv.bias", 27, 3);
            yield return ("fc1.weight", 30, h * flat);
            yield return ("fc1.bias", 30 + (h * flat), h);
            yield return ("fc2.weight", 30 + (h * flat) + h, 10 * h);
            yield return ("fc2.bias", 30 + (h * flat) + h + (10 * h), 10);
        }
    }

    private static double CentralDifference(NetworkKind kind, double[] parameters, ImageSet images, int index)
    {
        const double Step = 1e-5;
        var saved = parameters[index];
        parameters[index] = saved + Step;
        var plus = ReferenceNetwork.Loss(kind, parameters, images);
        parameters[index] = saved - Step;
        var minus = ReferenceNetwork.Loss(kind, parameters, images);
        parameters[index] = saved;
        return (plus - minus) / (2 * Step);
    }

    private static double Loss(ImageNetwork network, Workspace workspace)
    {
        network.Forward(workspace, Batch);
        return SoftmaxCrossEntropy.Compute(workspace.Logits, workspace.Labels, Batch, 10, 1f / Batch, workspace.LogitGradient) / Batch;
    }
}
