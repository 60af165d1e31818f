using Quarry.Learn.Tabular;

namespace Quarry.Learn.Tests.Tabular;

public sealed class MlpTests
{
    [Fact]
    public void Learns_xor_which_a_linear_model_cannot()
    {
        var (x, y) = SyntheticTabular.Xor(400, seed: 1);
        var (testX, testY) = SyntheticTabular.Xor(400, seed: 2);

        // Some initialisations (seed 42 among them) start with a quadrant of dead ReLUs and need far more epochs.
        var mlp = Mlp.Train(x, y, new MlpOptions([12, 8], Epochs: 200, LearningRate: 0.01f, Seed: 1));
        var linear = LogisticRegression.Train(x, y);

        Assert.True(SyntheticTabular.Accuracy(mlp, testX, testY) >= 0.95, $"MLP accuracy {SyntheticTabular.Accuracy(mlp, testX, testY)}");
        Assert.True(SyntheticTabular.Accuracy(linear, testX, testY) < 0.7);
    }

    [Fact]
    public void Same_seed_gives_the_same_network_and_another_seed_does_not()
    {
        var (x, y) = SyntheticTabular.Xor(100, seed: 3);
        var options = new MlpOptions([6], Epochs: 5);

        var first = Mlp.Train(x, y, options).Export();
        var second = Mlp.Train(x, y, options).Export();
        var other = Mlp.Train(x, y, options with { Seed = 7 }).Export();

        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(first.Biases, second.Biases);
        Assert.NotEqual(first.Weights[0], other.Weights[0]);
    }

    [Fact]
    public void Export_round_trips_and_has_the_requested_shape()
    {
        var (x, y) = SyntheticTabular.Xor(50, seed: 4);
        var model = Mlp.Train(x, y, new MlpOptions([12, 8], Epochs: 3));

        var (sizes, weights, biases) = model.Export();
        var copy = Mlp.FromParameters(sizes, weights, biases);

        Assert.Equal([2, 12, 8, 1], sizes);
        Assert.Equal([24, 96, 8], weights.Select(w => w.Length));
        Assert.Equal([12, 8, 1], biases.Select(b => b.Length));
        Assert.All(x, row => Assert.Equal(model.PredictProbability(row), copy.PredictProbability(row)));
        Assert.Throws<ArgumentException>(() => Mlp.FromParameters([2, 3, 1], [new float[6]], [new float[3]]));
    }

    [Fact]
    public void Forward_pass_matches_a_hand_computation()
    {
        // Hidden: relu(1·1 − 1·2 + 0) = 0 and relu(0.5·1 + 0.5·2 + 0.25) = 1.75; output σ(2·0 − 1·1.75 + 1) = σ(−0.75).
        var model = Mlp.FromParameters([2, 2, 1], [[1f, -1f, 0.5f, 0.5f], [2f, -1f]], [[0f, 0.25f], [1f]]);

        Assert.Equal(1 / (1 + Math.Exp(0.75)), model.PredictProbability([1f, 2f]), 6);
    }

    [Fact]
    public void Early_stopping_restores_a_model_that_generalises()
    {
        var (x, y) = SyntheticTabular.Xor(300, seed: 6);
        var (testX, testY) = SyntheticTabular.Xor(300, seed: 8);

        var model = Mlp.Train(x, y, new MlpOptions([12, 8], Epochs: 2000, LearningRate: 0.01f, Seed: 1, Patience: 10));

        Assert.True(SyntheticTabular.Accuracy(model, testX, testY) >= 0.95);
    }

    [Fact]
    public void Back_propagation_matches_finite_differences()
    {
        var (x, y) = SyntheticTabular.Xor(20, seed: 10);
        var (sizes, weights, biases) = Mlp.Train(x, y, new MlpOptions([5, 4], Epochs: 2, Seed: 3)).Export();
        var (gradW, gradB) = Mlp.FromParameters(sizes, weights, biases).LossGradients(x, y);

        for (var l = 0; l < weights.Length; l++)
        {
            for (var k = 0; k < weights[l].Length; k++)
            {
                Assert.Equal(Numeric(sizes, weights, biases, x, y, weights[l], k), gradW[l][k], 2e-3);
            }

            for (var k = 0; k < biases[l].Length; k++)
            {
                Assert.Equal(Numeric(sizes, weights, biases, x, y, biases[l], k), gradB[l][k], 2e-3);
            }
        }
    }

    /// <summary>Central difference of the summed log-loss with respect to parameters[k].</summary>
    private static double Numeric(int[] sizes, float[][] weights, float[][] biases, float[][] x, int[] y, float[] parameters, int k)
    {
        const float h = 1e-3f;
        var original = parameters[k];
        parameters[k] = original + h;
        var up = Loss(Mlp.FromParameters(sizes, weights, biases), x, y);
        parameters[k] = original - h;
        var down = Loss(Mlp.FromParameters(sizes, weights, biases), x, y);
        parameters[k] = original;
        return (up - down) / (2 * h);
    }

    private static double Loss(Mlp model, float[][] x, int[] y)
        => Enumerable.Range(0, x.Length).Sum(i => -Math.Log(y[i] == 1 ? model.PredictProbability(x[i]) : 1 - model.PredictProbability(x[i])));
}
