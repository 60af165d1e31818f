using System.Globalization;

namespace Quarry.Bench.Movies;

/// <summary>Command-line options of the ease suite.</summary>
/// <remarks>
/// <paramref name="Folds"/> validation splits are carved from the training positives (seeds Seed + 1 … Seed + Folds);
/// <paramref name="ValidationOnly"/> stops after the search, before the test split is scored.
/// </remarks>
internal sealed record EaseBenchOptions(string DataDirectory, int Seed, int Folds, bool ValidationOnly, int GemmSize, int InverseSize, bool SkipGemm,
    float[] Lambdas, float[] Dropouts, float[] UserExponents, float[] ItemExponents, float[] PopularityExponents, float[] DiagonalBounds,
    int[] LowRanks, float[] LowRankWeights)
{
    public static EaseBenchOptions Parse(string[] args)
    {
        string? data = null;
        var seed = 42;
        var gemm = 2048;
        var inverse = 9000;
        var skipGemm = false;
        var validationOnly = false;
        var folds = 3;
        float[] lambdas = [50, 100, 200, 400, 800];
        float[] dropouts = [0.1f, 0.25f, 0.5f];
        float[] userExponents = [0.25f, 0.5f, 1f];
        float[] itemExponents = [0.125f, 0.25f, 0.5f];
        float[] popularityExponents = [-0.1f, 0.1f, 0.25f];
        float[] diagonalBounds = [0.05f, 0.1f, 0.2f];
        int[] lowRanks = [64, 128, 256];
        float[] lowRankWeights = [0.05f, 0.1f, 0.2f, 0.3f];
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--skip-gemm")
            {
                skipGemm = true;
                continue;
            }

            if (args[i] == "--validation-only")
            {
                validationOnly = true;
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = value; break;
                case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--gemm": gemm = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--inverse": inverse = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--lambdas": lambdas = ParseList(value); break;
                case "--dropouts": dropouts = ParseList(value); break;
                case "--user-exponents": userExponents = ParseList(value); break;
                case "--item-exponents": itemExponents = ParseList(value); break;
                case "--popularity-exponents": popularityExponents = ParseList(value); break;
                case "--diagonal-bounds": diagonalBounds = ParseList(value); break;
                case "--low-ranks": lowRanks = [.. ParseList(value).Select(v => (int)v)]; break;
                case "--low-rank-weights": lowRankWeights = ParseList(value); break;
                case "--folds": folds = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}; options: --data DIR, --seed N, --folds N, --validation-only, --gemm N, --inverse N, --skip-gemm, --lambdas a,b, --dropouts a,b, --user-exponents a,b, --item-exponents a,b, --popularity-exponents a,b, --diagonal-bounds a,b, --low-ranks a,b, --low-rank-weights a,b");
            }

            i++;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 1, "--folds");
        return new EaseBenchOptions(data ?? DefaultDataDirectory(), seed, folds, validationOnly, gemm, inverse, skipGemm,
            lambdas, dropouts, userExponents, itemExponents, popularityExponents, diagonalBounds, lowRanks, lowRankWeights);
    }

    private static float[] ParseList(string value)
        => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture))];

    /// <summary>../shared/data/movielens/ml-latest-small relative to the repository root (the folder holding Quarry.slnx).</summary>
    private static string DefaultDataDirectory()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Quarry.slnx")))
                {
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "movielens", "ml-latest-small"));
                }
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "ml-latest-small");
    }
}
