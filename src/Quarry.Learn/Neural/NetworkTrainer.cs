using System.Numerics.Tensors;
using Quarry.Learn.Data;

namespace Quarry.Learn.Neural;

/// <summary>How a network is trained.</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Images per optimiser step (the last batch of an epoch may be smaller).</param>
/// <param name="LearningRate">Adam's step size.</param>
/// <param name="Seed">Seeds the initial weights and each epoch's shuffle.</param>
/// <param name="Threads">Threads a batch is split across; the result depends on the seed and this count only.</param>
public sealed record TrainingOptions(int Epochs = 5, int BatchSize = 100, float LearningRate = 1e-3f, int Seed = 1, int Threads = 1);

/// <summary>One optimiser step: where training is and the mean loss of the step's batch.</summary>
public readonly record struct TrainingStep(int Epoch, int Epochs, int Step, int StepsPerEpoch, float Loss);

/// <summary>Trains an <see cref="ImageNetwork"/> with cross-entropy and Adam on shuffled mini-batches, data-parallel across threads.</summary>
public static class NetworkTrainer
{
    /// <summary>
    /// Trains a new network of <paramref name="kind"/> on <paramref name="train"/>; <paramref name="onStep"/> hears every
    /// step. Returns the network and the mean loss of each epoch.
    /// </summary>
    public static (ImageNetwork Network, double[] EpochLoss) Train(
        NetworkKind kind, ImageSet train, TrainingOptions options, Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        CheckShape(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);

        var random = new Random(options.Seed);
        var network = ImageNetwork.Create(kind, random);
        var adam = new Adam(network.Weights.Length, options.LearningRate);
        var threads = Math.Min(options.Threads, options.BatchSize);
        var slice = (options.BatchSize + threads - 1) / threads;
        var workspaces = new Workspace[threads];
        for (var t = 0; t < threads; t++)
        {
            workspaces[t] = network.CreateWorkspace(slice);
        }

        var order = new int[train.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var steps = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var epochLoss = new double[options.Epochs];
        var losses = new double[threads];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            var total = 0.0;
            for (var step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = step * options.BatchSize;
                var size = Math.Min(options.BatchSize, train.Count - start);
                var scale = 1f / size;
                var parts = Math.Min(threads, size);
                var per = (size + parts - 1) / parts;
                void Run(int t)
                {
                    var from = start + (t * per);
                    var count = Math.Min(per, start + size - from);
                    var workspace = workspaces[t];
                    if (count <= 0)
                    {
                        losses[t] = 0;
                        Array.Clear(workspace.Gradients);
                        return;
                    }

                    network.Load(train, order.AsSpan(from, count), workspace);
                    network.Forward(workspace, count);
                    losses[t] = SoftmaxCrossEntropy.Compute(workspace.Logits, workspace.Labels, count, ImageNetwork.Classes, scale, workspace.LogitGradient);
                    network.Backward(workspace, count);
                }

                if (parts == 1)
                {
                    Run(0);
                }
                else
                {
                    Parallel.For(0, parts, parallel, Run);
                }

                var gradients = workspaces[0].Gradients;
                var loss = losses[0];
                for (var t = 1; t < parts; t++)
                {
                    TensorPrimitives.Add(gradients, workspaces[t].Gradients, gradients);
                    loss += losses[t];
                }

                adam.Step(network.Weights, gradients);
                var mean = (float)(loss / size);
                total += loss;
                onStep?.Invoke(new TrainingStep(epoch + 1, options.Epochs, step + 1, steps, mean));
            }

            epochLoss[epoch] = total / train.Count;
        }

        return (network, epochLoss);
    }

    /// <summary>How many images of <paramref name="test"/> the network classifies correctly.</summary>
    public static int CountCorrect(ImageNetwork network, ImageSet test, int threads = 1, int chunk = 250)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(test);
        CheckShape(test);
        threads = Math.Clamp(threads, 1, Math.Max(1, test.Count));
        var per = (test.Count + threads - 1) / threads;
        var correct = new int[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var workspace = network.CreateWorkspace(chunk);
            var indices = new int[chunk];
            var end = Math.Min(test.Count, (t + 1) * per);
            for (var from = t * per; from < end; from += chunk)
            {
                var count = Math.Min(chunk, end - from);
                for (var i = 0; i < count; i++)
                {
                    indices[i] = from + i;
                }

                network.Load(test, indices.AsSpan(0, count), workspace);
                network.Forward(workspace, count);
                for (var n = 0; n < count; n++)
                {
                    var logits = workspace.Logits.AsSpan(n * ImageNetwork.Classes, ImageNetwork.Classes);
                    if (TensorPrimitives.IndexOfMax(logits) == workspace.Labels[n])
                    {
                        correct[t]++;
                    }
                }
            }
        });
        return correct.Sum();
    }

    private static void CheckShape(ImageSet set)
    {
        if (set.Rows != ImageNetwork.Side || set.Columns != ImageNetwork.Side || set.Classes != ImageNetwork.Classes)
        {
            throw new ArgumentException(
                $"the digit networks take {ImageNetwork.Side}×{ImageNetwork.Side} images in {ImageNetwork.Classes} classes, not {set.Rows}×{set.Columns} in {set.Classes}");
        }
    }
}
