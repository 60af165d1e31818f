namespace Quarry.Learn.Tests.Tabular;

/// <summary>Seeded synthetic rows for classifier tests.</summary>
internal static class SyntheticTabular
{
    /// <summary>Gaussian features labelled by a logistic model with the given direction (larger norm = cleaner labels).</summary>
    public static (float[][] X, int[] Y) Logistic(float[] direction, float bias, int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows][];
        var y = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            x[i] = [.. direction.Select(_ => Gaussian(random))];
            var z = bias + x[i].Zip(direction, (a, b) => a * b).Sum();
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return (x, y);
    }

    /// <summary>Four noisy clusters at (±1, ±1); the label is 1 where the coordinates have different signs.</summary>
    public static (float[][] X, int[] Y) Xor(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows][];
        var y = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            var a = random.Next(2) * 2 - 1;
            var b = random.Next(2) * 2 - 1;
            x[i] = [a + (0.25f * Gaussian(random)), b + (0.25f * Gaussian(random))];
            y[i] = a == b ? 0 : 1;
        }

        return (x, y);
    }

    public static double Accuracy(Quarry.Learn.Tabular.IBinaryClassifier model, float[][] x, int[] y)
        => Enumerable.Range(0, x.Length).Count(i => (model.PredictProbability(x[i]) >= 0.5f ? 1 : 0) == y[i]) / (double)x.Length;

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
