using Quarry.Learn.Recommenders;
using Quarry.Movies.Data;
using Quarry.Movies.Model;

namespace Quarry.Movies.Tests.Model;

public sealed class MovieModelTests
{
    private static readonly Movie[] Catalog =
    [
        new(10, "Alpha", 1990, ["Drama"]),
        new(20, "Beta, The", null, []),
        new(30, "Gamma", 2001, ["Comedy", "Drama"]),
        new(40, "Delta", 1975, ["Horror"]),
        new(50, "Épsilon", 2010, ["Drama"]),
    ];

    /// <summary>Users who like 10 also like 30; users who like 20 also like 40; 50 is liked by everyone.</summary>
    private static InteractionMatrix Data() => InteractionMatrix.Create(6, 5,
    [
        (0, 0), (0, 2), (0, 4), (1, 0), (1, 2), (1, 4), (2, 0), (2, 2),
        (3, 1), (3, 3), (3, 4), (4, 1), (4, 3), (4, 4), (5, 4),
    ]);

    private static MovieModel Ease()
    {
        var data = Data();
        var ease = EaseModel.Train(data, 1f);
        return new MovieModel((Movie[])Catalog.Clone(), data.ItemCounts(), ease, ease.Weight, new MovieModelInfo("ease", 6, data.Count, 1f, 0));
    }

    private static MovieModel Knn()
    {
        var data = Data();
        var knn = ItemKnnModel.Train(data, neighbours: 3, shrink: 0);
        return new MovieModel((Movie[])Catalog.Clone(), data.ItemCounts(), knn, knn.Weight, new MovieModelInfo("knn", 6, data.Count, 0, 3));
    }

    [Fact]
    public void Recommends_co_liked_movies_with_reasons_and_never_the_liked_ones()
    {
        var result = Ease().Recommend([10], 2);
        Assert.Equal("model", result.Source);
        Assert.Equal(30, result.Movies[0].Movie.Id);
        Assert.DoesNotContain(result.Movies, m => m.Movie.Id == 10);
        var because = Assert.Single(result.Movies[0].Because);
        Assert.Equal((10, "Alpha"), (because.Id, because.Title));
    }

    [Fact]
    public void Unknown_ids_are_reported_and_only_unknown_ids_fall_back_to_popular()
    {
        var model = Ease();
        var mixed = model.Recommend([20, 999], 3);
        Assert.Equal([999], mixed.Unknown);
        Assert.Equal("model", mixed.Source);
        Assert.Equal(40, mixed.Movies[0].Movie.Id);

        var none = model.Recommend([999, 998], 2);
        Assert.Equal("popular", none.Source);
        Assert.Equal([50, 10], none.Movies.Select(m => m.Movie.Id));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_artifact_round_trips_and_rejects_every_truncation(bool ease)
    {
        var model = ease ? Ease() : Knn();
        using var stream = new MemoryStream();
        await MovieModelFile.WriteAsync(model, stream, TestContext.Current.CancellationToken);
        var bytes = stream.ToArray();

        var read = MovieModelFile.Read(bytes, TestContext.Current.CancellationToken);
        Assert.Equal(model.Info, read.Info);
        Assert.Equal(Catalog.Select(m => (m.Id, m.Title, m.Year, string.Join("|", m.Genres))),
            read.Movies.Select(m => (m.Id, m.Title, m.Year, string.Join("|", m.Genres))));
        Assert.Equal(model.Popularity, read.Popularity);
        Assert.Equal(model.Recommend([10, 20], 4).Movies.Select(m => (m.Movie.Id, m.Score)), read.Recommend([10, 20], 4).Movies.Select(m => (m.Movie.Id, m.Score)));

        for (var length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<InvalidDataException>(() => MovieModelFile.Read(bytes.AsSpan(0, length)));
        }

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        Assert.Throws<InvalidDataException>(() => MovieModelFile.Read(flipped));
    }
}
