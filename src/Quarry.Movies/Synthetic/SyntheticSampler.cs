using Quarry.Core.Datasets;

namespace Quarry.Movies.Synthetic;

/// <summary>Draws the distinct movies a user rates: by taste factor then popularity, or by popularity alone.</summary>
internal sealed class SyntheticSampler
{
    private const double DominantShare = 0.75;
    private const double SecondaryShare = 0.18;
    // A movie's secondary factor counts for less than its dominant one when a user browses that factor.
    private const double SecondaryWeight = 0.4;

    private readonly SyntheticTasteModel _model;
    private readonly int[][] _factorMovies;
    private readonly double[][] _factorCumulative;
    private readonly double[] _allCumulative;
    private readonly int[] _seenBy;

    public SyntheticSampler(SyntheticTasteModel model)
    {
        _model = model;
        var movies = model.Popularity.Length;
        var members = Enumerable.Range(0, model.Factors).Select(_ => new List<(int Movie, double Weight)>()).ToArray();
        _allCumulative = new double[movies];
        var running = 0.0;
        for (var m = 0; m < movies; m++)
        {
            running += model.Popularity[m];
            _allCumulative[m] = running;
            members[model.MovieDominant[m]].Add((m, model.Popularity[m]));
            if (model.MovieSecondary[m] >= 0)
            {
                members[model.MovieSecondary[m]].Add((m, SecondaryWeight * model.Popularity[m]));
            }
        }

        _factorMovies = [.. members.Select(list => list.Select(e => e.Movie).ToArray())];
        _factorCumulative = [.. members.Select(list =>
        {
            var sums = new double[list.Count];
            var total = 0.0;
            for (var i = 0; i < list.Count; i++)
            {
                total += list[i].Weight;
                sums[i] = total;
            }

            return sums;
        })];
        _seenBy = new int[movies];
        Array.Fill(_seenBy, -1);
    }

    /// <summary>Fills <paramref name="chosen"/> with up to <paramref name="count"/> distinct movies for <paramref name="user"/>.</summary>
    public void Sample(int user, int count, SeededRandom random, List<int> chosen)
    {
        chosen.Clear();
        for (var attempt = 0; chosen.Count < count && attempt < count * 20; attempt++)
        {
            var movie = Draw(user, random);
            if (movie >= 0 && _seenBy[movie] != user)
            {
                _seenBy[movie] = user;
                chosen.Add(movie);
            }
        }
    }

    private int Draw(int user, SeededRandom random)
    {
        if (random.NextDouble() < _model.Exploration[user])
        {
            return random.Sample(_allCumulative);
        }

        var roll = random.NextDouble();
        var secondary = _model.UserSecondary[user];
        var factor = roll < DominantShare || (roll < DominantShare + SecondaryShare && secondary < 0)
            ? _model.UserDominant[user]
            : roll < DominantShare + SecondaryShare ? secondary : random.Next(_model.Factors);
        var sums = _factorCumulative[factor];
        return sums.Length == 0 ? -1 : _factorMovies[factor][random.Sample(sums)];
    }
}
