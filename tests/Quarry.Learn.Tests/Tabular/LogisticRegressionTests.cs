using Quarry.Learn.Tabular;

namespace Quarry.Learn.Tests.Tabular;

public sealed class LogisticRegressionTests
{
    [Fact]
    public void Recovers_the_generating_direction()
    {
        float[] direction = [2f, -1f, 0f, 0.5f];
        var (x, y) = SyntheticTabular.Logistic(direction, 0.3f, 20_000, seed: 11);

        var model = LogisticRegression.Train(x, y, l2: 0);

        for (var k = 0; k < direction.Length; k++)
        {
            Assert.Equal(direction[k], model.Weights[k], 0.08);
        }

        Assert.Equal(0.3f, model.Bias, 0.08);
    }

    [Fact]
    public void Gradient_and_loss_match_a_hand_computation()
    {
        // Rows x = 1 (y = 1) and x = −2 (y = 0) at w = 0.5, b = 0, l2 = 0.1:
        // p = σ(0.5) = 0.6224593, σ(−1) = 0.2689414;
        // ∂w = ((p1 − 1)·1 + p2·(−2)) / 2 + 0.1·0.5 = −0.4077117; ∂b = ((p1 − 1) + p2) / 2 = −0.0542996;
        // loss = (−ln p1 − ln(1 − p2)) / 2 + 0.05·0.25 = 0.4061693.
        float[][] x = [[1f], [-2f]];
        int[] y = [1, 0];
        double[] theta = [0.5, 0];

        var (gradient, hessian) = LogisticRegression.Derivatives(x, y, theta, 0.1);

        Assert.Equal(-0.4077117, gradient[0], 6);
        Assert.Equal(-0.0542996, gradient[1], 6);
        Assert.Equal(0.4061693, LogisticRegression.Loss(x, y, theta, 0.1), 6);
        // Curvature: p(1 − p) weights are 0.2350037 and 0.1966119.
        Assert.Equal(((0.2350037 * 1) + (0.1966119 * 4)) / 2 + 0.1, hessian[0], 6);
        Assert.Equal(((0.2350037 * 1) + (0.1966119 * -2)) / 2, hessian[1], 6);
    }

    [Fact]
    public void Trained_parameters_zero_the_gradient_and_round_trip()
    {
        var (x, y) = SyntheticTabular.Logistic([1f, 1f, -1f], -0.5f, 500, seed: 5);

        var model = LogisticRegression.Train(x, y, l2: 0.01f);
        double[] theta = [.. model.Weights.Select(w => (double)w), model.Bias];
        var (gradient, _) = LogisticRegression.Derivatives(x, y, theta, 0.01);

        Assert.All(gradient, g => Assert.True(Math.Abs(g) < 1e-5, $"gradient {g}"));
        var copy = LogisticRegression.FromParameters(model.Weights, model.Bias);
        Assert.Equal(model.PredictProbability(x[3]), copy.PredictProbability(x[3]));
        Assert.Throws<ArgumentException>(() => LogisticRegression.FromParameters([float.NaN], 0));
    }

    [Fact]
    public void Stronger_l2_shrinks_the_weights()
    {
        var (x, y) = SyntheticTabular.Logistic([3f, -2f], 0f, 400, seed: 9);

        var loose = LogisticRegression.Train(x, y, l2: 1e-4f);
        var tight = LogisticRegression.Train(x, y, l2: 1f);

        Assert.True(tight.Weights.Sum(w => w * w) < loose.Weights.Sum(w => w * w) / 4);
    }
}
