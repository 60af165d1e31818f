using System.IO.Compression;
using Quarry.Movies.Import;

namespace Quarry.Movies.Tests.Import;

public sealed class LatestLayoutImportTests : ImporterFixture
{
    private const string Movies =
        """
        movieId,title,genres
        1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
        11,"American President, The (1995)",Comedy|Drama|Romance
        12,"Dr. ""Strangelove"" (1964)",Comedy|War
        13,Babylon 5,(no genres listed)
        14,Big Bang Theory (2006-2007),Comedy
        """;

    private const string Ratings =
        """
        userId,movieId,rating,timestamp
        1,1,4.0,964982703
        1,11,0.5,964981247
        2,12,5.0,964982224
        2,13,3.5,964983815
        3,14,2.5,964982931
        """;

    [Fact]
    public async Task A_directory_imports_movies_with_parsed_titles_and_all_ratings()
    {
        var directory = Path.GetDirectoryName(Write("ml-latest-small/movies.csv", Movies))!;
        Write("ml-latest-small/ratings.csv", Ratings);
        var progress = new Recorder<ImportProgress>();

        var result = await MovieLensImporter.ImportAsync(directory, Store, progress, Ct);

        Assert.Equal((MovieLensLayout.Latest, 5, 5L), (result.Layout, result.Movies, result.Ratings));
        var movies = await Store.GetMoviesAsync([1, 11, 12, 13, 14], Ct);
        Assert.Equal(("American President, The", 1995), (movies[11].Title, movies[11].Year));
        Assert.Equal(["Comedy", "Drama", "Romance"], movies[11].Genres);
        Assert.Equal(("Dr. \"Strangelove\"", 1964), (movies[12].Title, movies[12].Year));
        Assert.Equal(("Babylon 5", (int?)null), (movies[13].Title, movies[13].Year));
        Assert.Empty(movies[13].Genres);
        Assert.Equal(("Big Bang Theory", 2006), (movies[14].Title, movies[14].Year));
        Assert.Equal(("1", 11, 0.5f, 964981247L), (await PreferencesAsync())[1]);
        Assert.Equal((5, 5L, 3), await Store.CountsAsync(Ct));
        var last = progress.Reports[^1];
        Assert.Equal((5L, last.BytesTotal), (last.Ratings, last.BytesRead));
        Assert.EndsWith("ratings.csv", last.File);
    }

    [Fact]
    public async Task A_path_to_one_of_the_files_or_a_zip_with_a_top_folder_imports_the_same()
    {
        Write("zipped/ml-latest-small/movies.csv", Movies);
        Write("zipped/ml-latest-small/ratings.csv", Ratings);
        var zip = Files.File("ml-latest-small.zip");
        ZipFile.CreateFromDirectory(Files.File("zipped"), zip);

        var fromZip = await MovieLensImporter.ImportAsync(zip, Store, null, Ct);
        var fromFile = await MovieLensImporter.ImportAsync(Files.File("zipped/ml-latest-small/ratings.csv"), Store, null, Ct);

        Assert.Equal(Path.Combine(Files.File("ml-latest-small"), "ml-latest-small"), fromZip.Directory);
        Assert.Equal((5, 5L), (fromZip.Movies, fromZip.Ratings));
        Assert.Equal(Files.File("zipped/ml-latest-small"), fromFile.Directory);
        Assert.Equal((5, 5L, 3), await Store.CountsAsync(Ct));
    }

    [Fact]
    public async Task A_missing_ratings_file_is_named_with_the_accepted_layouts()
    {
        var directory = Path.GetDirectoryName(Write("only-movies/movies.csv", Movies))!;

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => MovieLensImporter.ImportAsync(directory, Store, null, Ct));

        Assert.Contains("ratings.csv is missing", error.Message);
        Assert.Contains("ml-100k (u.item, u.data, u.genre)", error.Message);
        Assert.Equal((0, 0L, 0), await Store.CountsAsync(Ct));
    }

    [Fact]
    public async Task A_directory_without_movielens_files_or_a_missing_path_says_what_is_accepted()
    {
        Directory.CreateDirectory(Files.File("empty"));

        var empty = await Assert.ThrowsAsync<FileNotFoundException>(() => MovieLensImporter.ImportAsync(Files.File("empty"), Store, null, Ct));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => MovieLensImporter.ImportAsync(Files.File("nope"), Store, null, Ct));

        Assert.Contains("No MovieLens files", empty.Message);
        Assert.Contains("ml-latest-small (movies.csv, ratings.csv)", empty.Message);
        Assert.Contains("does not exist", missing.Message);
    }

    [Theory]
    [InlineData("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,1,four,964982703\n", "ratings.csv line 3: rating 'four'")]
    [InlineData("1,1,4.0,964982703\n1,1,4.0\n", "ratings.csv line 2: expected 4 fields")]
    [InlineData("userId,movieId,rating,timestamp\n1,77,4.0,964982703\n", "ratings.csv line 2: movie 77 is not in movies.csv")]
    [InlineData("userId,movieId,rating,timestamp\n1,1,7.5,964982703\n", "ratings.csv line 2: rating '7.5'")]
    [InlineData("userId,movieId,rating,timestamp\n1,1,4.0,yesterday\n", "ratings.csv line 2: timestamp 'yesterday'")]
    public async Task Malformed_ratings_name_the_file_and_line(string ratings, string expected)
    {
        Write("bad/movies.csv", Movies);
        Write("bad/ratings.csv", ratings);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MovieLensImporter.ImportAsync(Files.File("bad"), Store, null, Ct));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("movieId,title,genres\n1,Toy Story (1995)\n", "movies.csv line 2: expected 3 fields")]
    [InlineData("movieId,title,genres\nx1,Toy Story (1995),Comedy\n", "movies.csv line 2: movieId 'x1'")]
    [InlineData("movieId,title,genres\n1,\"Toy Story (1995),Comedy\n", "movies.csv: CSV line 2")]
    public async Task Malformed_movies_name_the_file_and_line(string movies, string expected)
    {
        Write("bad/movies.csv", movies);
        Write("bad/ratings.csv", Ratings);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MovieLensImporter.ImportAsync(Files.File("bad"), Store, null, Ct));

        Assert.Contains(expected, error.Message);
    }
}
