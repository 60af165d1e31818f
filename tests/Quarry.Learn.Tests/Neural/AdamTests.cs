using Quarry.Learn.Neural;

namespace Quarry.Learn.Tests.Neural;

public sealed class AdamTests
{
    [Fact]
    public void First_steps_match_the_update_worked_by_hand()
    {
        // 37 parameters so both the vector body and the scalar tail are exercised.
        const int n = 37;
        var parameters = Enumerable.Range(0, n).Select(i => (float)(0.1 * i)).ToArray();
        var adam = new Adam(n, learningRate: 0.01f);
        var m = new double[n];
        var v = new double[n];
        var expected = parameters.Select(p => (double)p).ToArray();
        for (var t = 1; t <= 3; t++)
        {
            var gradients = Enumerable.Range(0, n).Select(i => (float)(Math.Sin(i + t) * (i % 5 == 0 ? 0 : 1))).ToArray();
            adam.Step(parameters, gradients);
            for (var i = 0; i < n; i++)
            {
                m[i] = (0.9 * m[i]) + (0.1 * gradients[i]);
                v[i] = (0.999 * v[i]) + (0.001 * gradients[i] * gradients[i]);
                var mHat = m[i] / (1 - Math.Pow(0.9, t));
                var vHat = v[i] / (1 - Math.Pow(0.999, t));
                expected[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }

            for (var i = 0; i < n; i++)
            {
                Assert.Equal(expected[i], parameters[i], 5);
            }
        }

        Assert.Equal(3, adam.Steps);
    }

    [Fact]
    public void The_first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient_sign()
    {
        var parameters = new float[] { 1f, 1f, 1f };
        new Adam(3, learningRate: 0.001f).Step(parameters, [5f, -0.01f, 0f]);
        Assert.Equal(0.999f, parameters[0], 5);
        Assert.Equal(1.001f, parameters[1], 5);
        Assert.Equal(1f, parameters[2]);
    }

    [Fact]
    public void Mismatched_lengths_and_bad_settings_are_refused()
    {
        var adam = new Adam(4);
        Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(4, learningRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(4, beta2: 1));
    }
}
