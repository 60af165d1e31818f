using Quarry.Learn.Recommenders;

namespace Quarry.Bench.Movies;

/// <summary>MovieLens ratings mapped to dense indices by the product's loader (<c>MovieEvaluation.Load</c>).</summary>
internal sealed record MovieLens(List<Rating> Ratings, int Users, int Items);
