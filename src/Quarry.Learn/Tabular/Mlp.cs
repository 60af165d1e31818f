using System.Numerics.Tensors;

namespace Quarry.Learn.Tabular;

/// <summary>Fully connected network with ReLU hidden layers and a sigmoid output, trained with Adam on log-loss.</summary>
public sealed class Mlp : IBinaryClassifier
{
    private readonly int[] sizes;
    // weights[l] is row-major (sizes[l+1] × sizes[l]): one row of input weights per unit.
    private readonly float[][] weights;
    private readonly float[][] biases;

    private Mlp(int[] sizes, float[][] weights, float[][] biases)
    {
        this.sizes = sizes;
        this.weights = weights;
        this.biases = biases;
    }

    /// <summary>Trains on standardised rows; initialisation (Glorot uniform, as Keras), batch order and any validation split follow <see cref="MlpOptions.Seed"/>.</summary>
    public static Mlp Train(float[][] x, int[] y, MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(options);
        if (x.Length == 0 || x.Length != y.Length)
        {
            throw new ArgumentException($"need the same positive number of rows and labels ({x.Length} and {y.Length})", nameof(y));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs);
        int[] sizes = [x[0].Length, .. options.Hidden, 1];
        if (sizes.Any(s => s < 1))
        {
            throw new ArgumentException("layer widths must be positive", nameof(options));
        }

        var random = new Random(options.Seed);
        var model = new Mlp(sizes, new float[sizes.Length - 1][], new float[sizes.Length - 1][]);
        for (var l = 0; l < sizes.Length - 1; l++)
        {
            var limit = MathF.Sqrt(6f / (sizes[l] + sizes[l + 1]));
            model.weights[l] = [.. Enumerable.Range(0, sizes[l] * sizes[l + 1]).Select(_ => ((2 * random.NextSingle()) - 1) * limit)];
            model.biases[l] = new float[sizes[l + 1]];
        }

        var order = Enumerable.Range(0, x.Length).ToArray();
        int[] validation = [];
        if (options.Patience > 0)
        {
            random.Shuffle(order);
            var held = Math.Clamp((int)(x.Length * options.ValidationFraction), 1, x.Length - 1);
            validation = order[..held];
            order = order[held..];
        }

        new Trainer(model, options).Run(x, y, order, validation, random);
        return model;
    }

    /// <summary>Rebuilds a network from layer sizes (input first, 1 last) and per-layer row-major weights and biases.</summary>
    public static Mlp FromParameters(int[] layerSizes, float[][] weights, float[][] biases)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        if (layerSizes.Length < 2 || layerSizes[^1] != 1 || layerSizes.Any(s => s < 1))
        {
            throw new ArgumentException("layer sizes must be positive and end with a single output", nameof(layerSizes));
        }

        if (weights.Length != layerSizes.Length - 1 || biases.Length != layerSizes.Length - 1)
        {
            throw new ArgumentException($"expected {layerSizes.Length - 1} weight and bias arrays", nameof(weights));
        }

        for (var l = 0; l < weights.Length; l++)
        {
            if (weights[l].Length != layerSizes[l] * layerSizes[l + 1] || biases[l].Length != layerSizes[l + 1])
            {
                throw new ArgumentException($"layer {l}: expected {layerSizes[l + 1]}×{layerSizes[l]} weights and {layerSizes[l + 1]} biases", nameof(weights));
            }

            if (weights[l].Any(w => !float.IsFinite(w)) || biases[l].Any(b => !float.IsFinite(b)))
            {
                throw new ArgumentException($"layer {l}: parameters must be finite", nameof(weights));
            }
        }

        return new Mlp([.. layerSizes], [.. weights.Select(w => w.ToArray())], [.. biases.Select(b => b.ToArray())]);
    }

    /// <summary>Copies of the layer sizes, weights and biases, in the form <see cref="FromParameters"/> accepts.</summary>
    public (int[] LayerSizes, float[][] Weights, float[][] Biases) Export()
        => ([.. sizes], [.. weights.Select(w => w.ToArray())], [.. biases.Select(b => b.ToArray())]);

    /// <inheritdoc />
    public float PredictProbability(ReadOnlySpan<float> standardizedRow)
    {
        if (standardizedRow.Length != sizes[0])
        {
            throw new ArgumentException($"row has {standardizedRow.Length} values, the model {sizes[0]}", nameof(standardizedRow));
        }

        var activations = sizes.Select(s => new float[s]).ToArray();
        standardizedRow.CopyTo(activations[0]);
        return Forward(activations);
    }

    /// <summary>Summed log-loss gradients over all rows (no L2 term), for checking back-propagation.</summary>
    internal (float[][] Weights, float[][] Biases) LossGradients(float[][] x, int[] y)
        => new Trainer(this, new MlpOptions([])).Gradients(x, y, Enumerable.Range(0, x.Length).ToArray());

    /// <summary>Fills activations[1..] from activations[0] and returns the output probability.</summary>
    private float Forward(float[][] activations)
    {
        for (var l = 0; l < weights.Length; l++)
        {
            var input = activations[l];
            var output = activations[l + 1];
            for (var j = 0; j < output.Length; j++)
            {
                output[j] = biases[l][j] + TensorPrimitives.Dot(weights[l].AsSpan(j * input.Length, input.Length), input);
            }

            if (l < weights.Length - 1)
            {
                TensorPrimitives.Max(output, 0f, output);
            }
        }

        return (float)LogisticRegression.Sigmoid(activations[^1][0]);
    }

    /// <summary>Mini-batch Adam state for one training run.</summary>
    private sealed class Trainer(Mlp model, MlpOptions options)
    {
        private readonly float[][] activations = [.. model.sizes.Select(s => new float[s])];
        private readonly float[][] deltas = [.. model.sizes.Select(s => new float[s])];
        private readonly float[][] weightGradients = [.. model.weights.Select(w => new float[w.Length])];
        private readonly float[][] biasGradients = [.. model.biases.Select(b => new float[b.Length])];
        private readonly float[][][] moments = [.. Enumerable.Range(0, 4).Select(k => model.weights.Select((w, l) => new float[k < 2 ? w.Length : model.biases[l].Length]).ToArray())];
        private int steps;

        public void Run(float[][] x, int[] y, int[] order, int[] validation, Random random)
        {
            var best = double.PositiveInfinity;
            var bestWeights = model.weights.Select(w => w.ToArray()).ToArray();
            var bestBiases = model.biases.Select(b => b.ToArray()).ToArray();
            var sinceBest = 0;
            for (var epoch = 0; epoch < options.Epochs; epoch++)
            {
                random.Shuffle(order);
                for (var start = 0; start < order.Length; start += options.BatchSize)
                {
                    Step(x, y, order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)));
                }

                if (validation.Length == 0)
                {
                    continue;
                }

                var loss = ValidationLoss(x, y, validation);
                if (loss < best - 1e-6)
                {
                    best = loss;
                    sinceBest = 0;
                    Copy(model.weights, bestWeights);
                    Copy(model.biases, bestBiases);
                }
                else if (++sinceBest >= options.Patience)
                {
                    break;
                }
            }

            if (validation.Length > 0)
            {
                Copy(bestWeights, model.weights);
                Copy(bestBiases, model.biases);
            }
        }

        /// <summary>Summed (not averaged) log-loss gradients over the rows, without the L2 term.</summary>
        public (float[][] Weights, float[][] Biases) Gradients(float[][] x, int[] y, ReadOnlySpan<int> rows)
        {
            Accumulate(x, y, rows);
            return (weightGradients, biasGradients);
        }

        private void Step(float[][] x, int[] y, ReadOnlySpan<int> batch)
        {
            Accumulate(x, y, batch);
            steps++;
            const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;
            var rate = options.LearningRate * MathF.Sqrt(1 - MathF.Pow(beta2, steps)) / (1 - MathF.Pow(beta1, steps));
            var scale = 1f / batch.Length;
            for (var l = 0; l < model.weights.Length; l++)
            {
                Adam(model.weights[l], weightGradients[l], moments[0][l], moments[1][l], scale, options.L2, rate, beta1, beta2, epsilon);
                Adam(model.biases[l], biasGradients[l], moments[2][l], moments[3][l], scale, 0, rate, beta1, beta2, epsilon);
            }
        }

        private void Accumulate(float[][] x, int[] y, ReadOnlySpan<int> batch)
        {
            foreach (var g in weightGradients)
            {
                Array.Clear(g);
            }

            foreach (var g in biasGradients)
            {
                Array.Clear(g);
            }

            foreach (var i in batch)
            {
                x[i].CopyTo(activations[0], 0);
                var p = model.Forward(activations);
                deltas[^1][0] = p - y[i];
                for (var l = model.weights.Length - 1; l >= 0; l--)
                {
                    var input = activations[l];
                    var delta = deltas[l + 1];
                    for (var j = 0; j < delta.Length; j++)
                    {
                        var row = weightGradients[l].AsSpan(j * input.Length, input.Length);
                        TensorPrimitives.MultiplyAdd(input, delta[j], row, row);
                        biasGradients[l][j] += delta[j];
                    }

                    if (l > 0)
                    {
                        var previous = deltas[l];
                        Array.Clear(previous);
                        for (var j = 0; j < delta.Length; j++)
                        {
                            TensorPrimitives.MultiplyAdd(model.weights[l].AsSpan(j * input.Length, input.Length), delta[j], previous, previous);
                        }

                        // ReLU passes gradient only where the unit was active.
                        for (var k = 0; k < previous.Length; k++)
                        {
                            previous[k] = input[k] > 0 ? previous[k] : 0;
                        }
                    }
                }
            }
        }

        private static void Adam(float[] parameters, float[] gradients, float[] first, float[] second, float scale, float l2, float rate, float beta1, float beta2, float epsilon)
        {
            for (var k = 0; k < parameters.Length; k++)
            {
                var g = (gradients[k] * scale) + (l2 * parameters[k]);
                first[k] = (beta1 * first[k]) + ((1 - beta1) * g);
                second[k] = (beta2 * second[k]) + ((1 - beta2) * g * g);
                parameters[k] -= rate * first[k] / (MathF.Sqrt(second[k]) + epsilon);
            }
        }

        private double ValidationLoss(float[][] x, int[] y, int[] rows)
        {
            double total = 0;
            foreach (var i in rows)
            {
                x[i].CopyTo(activations[0], 0);
                var p = Math.Clamp(model.Forward(activations), 1e-7, 1 - 1e-7);
                total -= y[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
            }

            return total / rows.Length;
        }

        private static void Copy(float[][] from, float[][] to)
        {
            for (var l = 0; l < from.Length; l++)
            {
                from[l].CopyTo(to[l], 0);
            }
        }
    }
}
