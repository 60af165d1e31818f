using Quarry.Movies.Import;

namespace Quarry.Movies.Tests.Import;

public sealed class MovieLensTitleTests
{
    [Theory]
    [InlineData("American President, The (1995)", "American President, The", 1995)]
    [InlineData("City of Lost Children, The (Cité des enfants perdus, La) (1995)", "City of Lost Children, The (Cité des enfants perdus, La)", 1995)]
    [InlineData("Babylon 5", "Babylon 5", null)]
    [InlineData("Stranger Things (2016-)", "Stranger Things", 2016)]
    [InlineData("Ready Player One  (2018) ", "Ready Player One", 2018)]
    [InlineData("(1995)", "(1995)", null)]
    [InlineData("2001: A Space Odyssey (1968)", "2001: A Space Odyssey", 1968)]
    public void The_trailing_year_is_split_off_and_the_rest_kept(string raw, string title, int? year)
    {
        Assert.Equal((title, year), MovieLensTitle.Parse(raw));
    }
}
