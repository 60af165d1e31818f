using System.Buffers;
using System.Collections.Frozen;
using Quarry.Learn.Recommenders;
using Quarry.Movies.Data;

namespace Quarry.Movies.Model;

/// <summary>How a movie model was trained.</summary>
/// <param name="Kind"><c>ease</c> or <c>knn</c>.</param>
/// <param name="Users">Users whose likes it learned from.</param>
/// <param name="Preferences">Positive preferences (ratings ≥ 4 and likes) it learned from.</param>
/// <param name="Lambda">EASE regularisation (0 for kNN).</param>
/// <param name="Neighbours">kNN neighbours per movie (0 for EASE).</param>
public sealed record MovieModelInfo(string Kind, int Users, long Preferences, float Lambda, int Neighbours);

/// <summary>A liked movie that contributed to a recommendation.</summary>
/// <param name="Id">The liked movie.</param>
/// <param name="Title">Its title.</param>
/// <param name="Weight">How much it contributed.</param>
public sealed record Because(int Id, string Title, float Weight);

/// <summary>One recommended movie with its score and the liked movies that contributed most.</summary>
public sealed record RecommendedMovie(Movie Movie, float Score, IReadOnlyList<Because> Because);

/// <summary>What the model recommends for a set of liked movies.</summary>
/// <param name="Movies">Best first.</param>
/// <param name="Unknown">Liked ids the model does not know (not fatal).</param>
/// <param name="Source"><c>model</c>, or <c>popular</c> when no liked movie is known.</param>
public sealed record MovieRecommendations(IReadOnlyList<RecommendedMovie> Movies, IReadOnlyList<int> Unknown, string Source);

/// <summary>An immutable movie model: the movies it knows (a catalog snapshot), their popularity, and the recommender.</summary>
public sealed class MovieModel
{
    private const int MaxReasons = 3;
    private readonly Movie[] _movies;
    private readonly int[] _popularity;
    private readonly int[] _byPopularity;
    private readonly FrozenDictionary<int, int> _index;

    /// <summary>Builds the model; <paramref name="movies"/>[i] is the movie of the recommender's item i.</summary>
    public MovieModel(Movie[] movies, int[] popularity, IRecommender recommender, Func<int, int, float> weight, MovieModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(movies);
        ArgumentNullException.ThrowIfNull(popularity);
        ArgumentNullException.ThrowIfNull(recommender);
        if (movies.Length != recommender.Items || popularity.Length != movies.Length)
        {
            throw new ArgumentException("Movies, popularity and the recommender must cover the same items.");
        }

        _movies = movies;
        _popularity = popularity;
        Recommender = recommender;
        Weight = weight;
        Info = info;
        _index = movies.Select((m, i) => KeyValuePair.Create(m.Id, i)).ToFrozenDictionary();
        _byPopularity = Enumerable.Range(0, movies.Length).OrderByDescending(i => popularity[i]).ThenBy(i => movies[i].Id).ToArray();
    }

    /// <summary>How it was trained.</summary>
    public MovieModelInfo Info { get; }

    /// <summary>Movies by item index.</summary>
    public IReadOnlyList<Movie> Movies => _movies;

    /// <summary>Positive preferences per item.</summary>
    public IReadOnlyList<int> Popularity => _popularity;

    /// <summary>The scoring model.</summary>
    public IRecommender Recommender { get; }

    /// <summary>The learned weight from one item to another (what "because you liked" reports).</summary>
    public Func<int, int, float> Weight { get; }

    /// <summary>Scores every movie for <paramref name="liked"/> and returns the best, excluding the liked ones.</summary>
    public MovieRecommendations Recommend(IReadOnlyCollection<int> liked, int limit)
    {
        ArgumentNullException.ThrowIfNull(liked);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var history = new List<int>(liked.Count);
        var unknown = new List<int>();
        foreach (var id in liked.Distinct())
        {
            if (_index.TryGetValue(id, out var item))
            {
                history.Add(item);
            }
            else
            {
                unknown.Add(id);
            }
        }

        if (history.Count == 0)
        {
            var popular = _byPopularity.Take(limit).Select(i => new RecommendedMovie(_movies[i], _popularity[i], [])).ToArray();
            return new MovieRecommendations(popular, unknown, "popular");
        }

        history.Sort();
        var scores = ArrayPool<float>.Shared.Rent(_movies.Length);
        try
        {
            var span = scores.AsSpan(0, _movies.Length);
            span.Clear();
            Recommender.Score(history.ToArray(), span);
            var top = TopK.Select(span, limit, history.ToArray());
            var result = new RecommendedMovie[top.Length];
            for (var r = 0; r < top.Length; r++)
            {
                result[r] = new RecommendedMovie(_movies[top[r]], span[top[r]], Reasons(history, top[r]));
            }

            return new MovieRecommendations(result, unknown, "model");
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>The item index of a movie id, if the model knows it.</summary>
    public bool TryGetItem(int movieId, out int item) => _index.TryGetValue(movieId, out item);

    private Because[] Reasons(List<int> history, int item) =>
        history.Select(h => (Item: h, Weight: Weight(h, item)))
            .Where(x => x.Weight > 0)
            .OrderByDescending(x => x.Weight)
            .ThenBy(x => _movies[x.Item].Id)
            .Take(MaxReasons)
            .Select(x => new Because(_movies[x.Item].Id, _movies[x.Item].Title, x.Weight))
            .ToArray();
}
