using System.Text;
using Quarry.Movies.Import;

namespace Quarry.Movies.Tests.Import;

public sealed class Classic100KImportTests : ImporterFixture
{
    private static readonly string[] s_genres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    private static string Flags(params int[] set) =>
        string.Join('|', Enumerable.Range(0, s_genres.Length).Select(i => set.Contains(i) ? "1" : "0"));

    private void WriteGenres(string directory) =>
        Write($"{directory}/u.genre", string.Concat(s_genres.Select((g, i) => $"{g}|{i}\n")) + "\n");

    // u.item is Latin-1: "é" must come out of the import as é, not as a replacement character.
    private void WriteItems(string directory, params string[] lines) =>
        File.WriteAllBytes(Files.File($"{directory}/u.item"), Encoding.Latin1.GetBytes(string.Join('\n', lines) + "\n"));

    private void WriteStandardSet(string directory)
    {
        WriteGenres(directory);
        WriteItems(directory,
            $"1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|{Flags(3, 4, 5)}",
            $"2|Café au lait (Métisse) (1993)|01-Jan-1993||http://us.imdb.com/M/title-exact?Metisse|{Flags(5)}",
            $"3|Shawshank Redemption, The (1994)|01-Jan-1994||http://us.imdb.com/M/title-exact?Shawshank|{Flags(8)}",
            $"267|unknown||||{Flags(0)}",
            $"4|Untitled|14-Mar-1997||http://example.invalid|{Flags(15)}");
        Write($"{directory}/u.data", "196\t1\t3\t881250949\n186\t2\t5\t891717742\n\n22\t3\t1\t878887116\n196\t3\t4\t881251000\n");
    }

    [Fact]
    public async Task The_classic_layout_imports_latin1_titles_genre_flags_and_tab_separated_ratings()
    {
        Write("ml-100k/README", "ml-100k");
        WriteStandardSet("ml-100k");

        var result = await MovieLensImporter.ImportAsync(Files.File("ml-100k"), Store, null, Ct);

        Assert.Equal((MovieLensLayout.Classic100K, 5, 4L), (result.Layout, result.Movies, result.Ratings));
        var movies = await Store.GetMoviesAsync([1, 2, 3, 4, 267], Ct);
        Assert.Equal(("Café au lait (Métisse)", 1993), (movies[2].Title, movies[2].Year));
        Assert.Equal(["Animation", "Children's", "Comedy"], movies[1].Genres);
        Assert.Equal("Shawshank Redemption, The", movies[3].Title);
        Assert.Equal(("unknown", (int?)null), (movies[267].Title, movies[267].Year));
        Assert.Empty(movies[267].Genres);
        Assert.Equal(("Untitled", (int?)1997), (movies[4].Title, movies[4].Year));
        Assert.Equal(["Café au lait (Métisse)"], (await Store.SearchAsync("CAFÉ", null, 1, 10, Ct)).Movies.Select(m => m.Title));
        Assert.Equal(
            [("186", 2, 5f, 891717742L), ("196", 1, 3f, 881250949L), ("196", 3, 4f, 881251000L), ("22", 3, 1f, 878887116L)],
            await PreferencesAsync());
    }

    [Fact]
    public async Task A_missing_genre_file_is_named()
    {
        WriteStandardSet("partial");
        File.Delete(Files.File("partial/u.genre"));

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => MovieLensImporter.ImportAsync(Files.File("partial/u.data"), Store, null, Ct));

        Assert.Contains("u.genre is missing", error.Message);
        Assert.Contains("Classic100K", error.Message);
    }

    [Fact]
    public async Task A_short_rating_line_names_the_file_and_line()
    {
        WriteStandardSet("bad");
        Write("bad/u.data", "196\t1\t3\t881250949\n186\t2\t5\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MovieLensImporter.ImportAsync(Files.File("bad"), Store, null, Ct));

        Assert.Contains("u.data line 2: expected 4 fields", error.Message);
    }

    [Fact]
    public async Task An_item_line_with_too_few_genre_flags_names_the_file_and_line()
    {
        WriteStandardSet("bad");
        WriteItems("bad", $"1|Toy Story (1995)|01-Jan-1995||url|{Flags(3)}", "2|Short (1993)|01-Jan-1993||url|0|1");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MovieLensImporter.ImportAsync(Files.File("bad"), Store, null, Ct));

        Assert.Contains("u.item line 2: expected 24 fields", error.Message);
    }

    [Fact]
    public async Task A_bad_genre_flag_names_the_genre()
    {
        WriteStandardSet("bad");
        WriteItems("bad", $"1|Toy Story (1995)|01-Jan-1995||url|{Flags(3).Replace("1", "x")}");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MovieLensImporter.ImportAsync(Files.File("bad"), Store, null, Ct));

        Assert.Contains("u.item line 1: genre flag 3 (Animation) is 'x'", error.Message);
    }
}
