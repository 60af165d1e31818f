using System.Numerics.Tensors;

using Quarry.Core.Datasets;

namespace Quarry.Movies.Synthetic;

/// <summary>
/// The hidden structure behind a synthetic data set: unit factor vectors for movies and users, each with a dominant
/// (and often a secondary) factor, Zipf-like movie popularity, and rating biases.
/// </summary>
internal sealed class SyntheticTasteModel
{
    public static readonly string[] GenreNames =
    [
        "Drama", "Comedy", "Action", "Thriller", "Romance", "Adventure", "Crime", "Sci-Fi", "Horror",
        "Fantasy", "Children", "Animation", "Mystery", "Documentary", "Musical", "Western", "War", "Film-Noir",
    ];

    private const double ZipfExponent = 0.8;
    private const double SecondaryShare = 0.6;
    private const double NoiseScale = 0.15;

    private SyntheticTasteModel(int factors, int movies, int users)
    {
        Factors = factors;
        MovieVectors = new float[movies * factors];
        UserVectors = new float[users * factors];
        MovieDominant = new int[movies];
        MovieSecondary = new int[movies];
        UserDominant = new int[users];
        UserSecondary = new int[users];
        Popularity = new double[movies];
        MovieBias = new float[movies];
        UserBias = new float[users];
        Exploration = new float[users];
    }

    public int Factors { get; }

    public float[] MovieVectors { get; }

    public float[] UserVectors { get; }

    public int[] MovieDominant { get; }

    /// <summary>The movie's second factor, or -1.</summary>
    public int[] MovieSecondary { get; }

    public int[] UserDominant { get; }

    /// <summary>The user's second factor, or -1.</summary>
    public int[] UserSecondary { get; }

    /// <summary>Relative popularity (Zipf over a random ranking).</summary>
    public double[] Popularity { get; }

    public float[] MovieBias { get; }

    public float[] UserBias { get; }

    /// <summary>Share of the user's picks drawn by popularity alone, ignoring taste.</summary>
    public float[] Exploration { get; }

    public static SyntheticTasteModel Create(SyntheticMovieOptions options, SeededRandom random)
    {
        var k = options.Factors;
        var model = new SyntheticTasteModel(k, options.Movies, options.Users);

        // Uneven factor sizes, like real genres: some tastes are common, some niche.
        var factorWeights = new double[k];
        var running = 0.0;
        for (var f = 0; f < k; f++)
        {
            running += 0.4 + random.NextDouble();
            factorWeights[f] = running;
        }

        var ranks = Enumerable.Range(0, options.Movies).ToArray();
        for (var i = ranks.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (ranks[i], ranks[j]) = (ranks[j], ranks[i]);
        }

        for (var m = 0; m < options.Movies; m++)
        {
            var (dominant, secondary) = PickFactors(random, factorWeights, k);
            model.MovieDominant[m] = dominant;
            model.MovieSecondary[m] = secondary;
            FillVector(model.MovieVectors.AsSpan(m * k, k), dominant, secondary, random);
            model.Popularity[m] = Math.Pow(ranks[m] + 1, -ZipfExponent);
            // Popular movies are rated a little higher, as in MovieLens.
            model.MovieBias[m] = (float)((0.3 * random.NextGaussian()) + (0.3 * (1.0 - ((double)ranks[m] / options.Movies))) - 0.15);
        }

        for (var u = 0; u < options.Users; u++)
        {
            var (dominant, secondary) = PickFactors(random, factorWeights, k);
            model.UserDominant[u] = dominant;
            model.UserSecondary[u] = secondary;
            FillVector(model.UserVectors.AsSpan(u * k, k), dominant, secondary, random);
            model.UserBias[u] = (float)(0.35 * random.NextGaussian());
            model.Exploration[u] = (float)(0.03 + (0.1 * random.NextDouble()));
        }

        return model;
    }

    /// <summary>Cosine affinity of a user and a movie (both vectors are unit length).</summary>
    public float Affinity(int user, int movie)
    {
        var u = UserVectors.AsSpan(user * Factors, Factors);
        var m = MovieVectors.AsSpan(movie * Factors, Factors);
        var sum = 0f;
        for (var i = 0; i < u.Length; i++)
        {
            sum += u[i] * m[i];
        }

        return sum;
    }

    /// <summary>The movie's genres: its dominant factor's, then its secondary factor's.</summary>
    public IEnumerable<string> Genres(int movie)
    {
        yield return GenreNames[MovieDominant[movie]];
        if (MovieSecondary[movie] >= 0)
        {
            yield return GenreNames[MovieSecondary[movie]];
        }
    }

    private static (int Dominant, int Secondary) PickFactors(SeededRandom random, double[] factorWeights, int k)
    {
        var dominant = random.Sample(factorWeights);
        var secondary = -1;
        if (random.NextDouble() < SecondaryShare)
        {
            secondary = random.Next(k - 1);
            if (secondary >= dominant)
            {
                secondary++;
            }
        }

        return (dominant, secondary);
    }

    private static void FillVector(Span<float> vector, int dominant, int secondary, SeededRandom random)
    {
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(NoiseScale * random.NextGaussian());
        }

        vector[dominant] += 1f;
        if (secondary >= 0)
        {
            vector[secondary] += 0.6f;
        }

        var norm = MathF.Sqrt(TensorPrimitives.SumOfSquares(vector));
        TensorPrimitives.Divide(vector, norm, vector);
    }
}
