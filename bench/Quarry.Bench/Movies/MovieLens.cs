using System.Globalization;
using Quarry.Learn.Recommenders;

namespace Quarry.Bench.Movies;

/// <summary>MovieLens ratings.csv with users and movies mapped to dense indices (movies: those that appear in ratings, by ascending movieId).</summary>
internal sealed record MovieLens(List<Rating> Ratings, int Users, int[] MovieIds)
{
    public int Items => MovieIds.Length;

    public static MovieLens Load(string directory)
    {
        var raw = new List<(int User, int Movie, float Value)>();
        foreach (var line in File.ReadLines(Path.Combine(directory, "ratings.csv")).Skip(1))
        {
            var parts = line.Split(',');
            raw.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), float.Parse(parts[2], CultureInfo.InvariantCulture)));
        }

        var users = raw.Select(r => r.User).Distinct().Order().Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var movieIds = raw.Select(r => r.Movie).Distinct().Order().ToArray();
        var movies = movieIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var ratings = raw.ConvertAll(r => new Rating(users[r.User], movies[r.Movie], r.Value));
        return new MovieLens(ratings, users.Count, movieIds);
    }
}
