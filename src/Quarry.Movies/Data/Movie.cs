namespace Quarry.Movies.Data;

/// <summary>A catalog entry: the title without its year, the release year when known, and its genres.</summary>
public sealed record Movie(int Id, string Title, int? Year, IReadOnlyList<string> Genres);

/// <summary>One page of a catalog search; <see cref="Total"/> counts every match, not only this page.</summary>
public sealed record MoviePage(IReadOnlyList<Movie> Movies, int Total, int Page, int PageSize);
