using System.Globalization;
using System.Text;
using Quarry.Core.Datasets;

namespace Quarry.Predict.Training;

/// <summary>
/// Seeded demo data shaped like the Pima Indians diabetes file (9 columns, no header): feature distributions near the
/// real ones and an outcome from a logistic model of glucose, BMI, age, pedigree and pregnancies, so the demo behaves
/// like the real thing. Every page says when it shows demo data.
/// </summary>
public static class DiabetesSynthetic
{
    /// <summary>Writes <paramref name="rows"/> rows of CSV.</summary>
    public static string Csv(int rows = 768, int seed = 42)
    {
        var random = new SeededRandom(seed);
        var text = new StringBuilder(rows * 40);
        for (var i = 0; i < rows; i++)
        {
            var age = Math.Clamp(21 + Math.Abs(random.NextGaussian()) * 14, 21, 81);
            var pregnancies = Math.Clamp(Math.Round(Math.Abs(random.NextGaussian()) * 3.4 * (age / 33)), 0, 17);
            var glucose = Math.Clamp(121 + random.NextGaussian() * 31, 44, 199);
            var pressure = Math.Clamp(72 + random.NextGaussian() * 12, 24, 122);
            var skin = Math.Clamp(29 + random.NextGaussian() * 10, 7, 99);
            var insulin = Math.Clamp(80 + (glucose - 121) * 1.6 + random.NextGaussian() * 90, 14, 846);
            var bmi = Math.Clamp(32.4 + random.NextGaussian() * 6.9, 18.2, 67.1);
            var pedigree = Math.Clamp(0.47 * Math.Exp(random.NextGaussian() * 0.6), 0.08, 2.42);
            var logit = -8.4 + 0.035 * glucose + 0.089 * bmi + 0.014 * age + 0.93 * pedigree + 0.12 * pregnancies;
            var outcome = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture,
                $"{pregnancies:0},{glucose:0},{pressure:0},{skin:0},{insulin:0},{bmi:0.0},{pedigree:0.000},{age:0},{outcome}\n");
        }

        return text.ToString();
    }
}
