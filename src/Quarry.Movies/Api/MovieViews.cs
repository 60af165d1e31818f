using Quarry.Movies.Data;
using Quarry.Movies.Model;

namespace Quarry.Movies.Api;

/// <summary>A movie as the API shows it.</summary>
public sealed record MovieView(int Id, string Title, int? Year, IReadOnlyList<string> Genres)
{
    /// <summary>The view of a catalog entry.</summary>
    public static MovieView From(Movie movie) => new(movie.Id, movie.Title, movie.Year, movie.Genres);
}

/// <summary>A page of the catalog.</summary>
public sealed record MoviePageView(IReadOnlyList<MovieView> Movies, int Total, int Page, int PageSize);

/// <summary>A recommended movie with its score and the liked movies behind it.</summary>
public sealed record RecommendationView(MovieView Movie, float Score, IReadOnlyList<Because> Because);

/// <summary>Recommendations with the model they came from.</summary>
public sealed record RecommendationsView(IReadOnlyList<RecommendationView> Movies, IReadOnlyList<int> Unknown, string Source, string Version, string ModelDate)
{
    /// <summary>Builds the view.</summary>
    public static RecommendationsView From(MovieRecommendations result, Core.Artifacts.Publication publication) =>
        new(result.Movies.Select(m => new RecommendationView(MovieView.From(m.Movie), m.Score, m.Because)).ToArray(),
            result.Unknown, result.Source, publication.Version, publication.ModelDate);
}
