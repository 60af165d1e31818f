using Quarry.Learn.Recommenders;

namespace Quarry.Learn.Tests.Recommenders;

/// <summary>Small synthetic feedback for model tests.</summary>
internal static class Synthetic
{
    /// <summary>
    /// A planted taste model: items fall into clusters, each user likes one cluster and draws most items from it
    /// (skewed towards each cluster's head) and a few from the global head, which MostPop alone can exploit.
    /// </summary>
    public static List<Rating> PlantedRatings(int users, int items, int clusters, int perUser, int seed)
    {
        var random = new Random(seed);
        var size = items / clusters;
        var ratings = new List<Rating>();
        for (var u = 0; u < users; u++)
        {
            var cluster = random.Next(clusters);
            var chosen = new HashSet<int>();
            while (chosen.Count < perUser)
            {
                var item = random.NextDouble() < 0.8
                    ? (cluster * size) + (int)(size * Math.Pow(random.NextDouble(), 2))
                    : (int)(items * Math.Pow(random.NextDouble(), 3));
                chosen.Add(item);
            }

            foreach (var item in chosen)
            {
                ratings.Add(new Rating(u, item, random.NextDouble() < 0.9 ? 5f : 2f));
            }
        }

        return ratings;
    }

    public static InteractionMatrix RandomBinary(int users, int items, double density, int seed)
    {
        var random = new Random(seed);
        var pairs = new List<(int, int)>();
        for (var u = 0; u < users; u++)
        {
            for (var i = 0; i < items; i++)
            {
                if (random.NextDouble() < density)
                {
                    pairs.Add((u, i));
                }
            }
        }

        return InteractionMatrix.Create(users, items, pairs);
    }
}
