using Microsoft.Extensions.Time.Testing;
using Quarry.Movies.Data;

namespace Quarry.Movies.Tests.Data;

/// <summary>The behaviour every movie store must show; a subclass per engine supplies a fresh, empty store per test.</summary>
public abstract partial class MovieStoreContract : IAsyncLifetime
{
    private IMovieStore? _store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));

    protected IMovieStore Store => _store ?? throw new InvalidOperationException("not initialized");

    /// <summary>A new store on an empty database of the engine, not yet initialized.</summary>
    protected abstract Task<IMovieStore> CreateStoreAsync(TimeProvider clock);

    public virtual async ValueTask InitializeAsync()
    {
        _store = await CreateStoreAsync(Clock);
        await _store.InitializeAsync(Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected static Movie M(int id, string title, int? year = 2000, params string[] genres) => new(id, title, year, genres);

    protected Task AddAsync(params Movie[] movies) => Store.UpsertMoviesAsync(movies, Ct);

    protected Task RateAsync(params (int User, int Movie, float Rating, long UnixTime)[] ratings) => Store.AddRatingsAsync(ratings, Ct);

    protected async Task<string[]> TitlesAsync(string? search = null, string? genre = null, int page = 1, int pageSize = 100) =>
        [.. (await Store.SearchAsync(search, genre, page, pageSize, Ct)).Movies.Select(m => m.Title)];

    protected async Task<List<(string User, int Movie, float Rating, long UnixTime)>> PreferencesAsync()
    {
        var all = new List<(string User, int Movie, float Rating, long UnixTime)>();
        await foreach (var preference in Store.ReadPreferencesAsync(Ct))
        {
            all.Add(preference);
        }

        return [.. all.OrderBy(p => p.User, StringComparer.Ordinal).ThenBy(p => p.Movie)];
    }

    [Fact]
    public async Task A_new_store_is_empty_and_initializing_again_keeps_it_usable()
    {
        await Store.InitializeAsync(Ct);

        Assert.Equal((0, 0L, 0), await Store.CountsAsync(Ct));
        var page = await Store.SearchAsync(null, null, 1, 20, Ct);
        Assert.Empty(page.Movies);
        Assert.Equal(0, page.Total);
        Assert.Empty(await Store.GenresAsync(Ct));
        Assert.Null(await Store.GetMovieAsync(1, Ct));
    }

    [Fact]
    public async Task A_stored_movie_reads_back_with_title_year_and_genres()
    {
        await AddAsync(M(1, "Toy Story", 1995, "Adventure", "Animation", "Children"), M(2, "Babylon 5", null));

        var toyStory = await Store.GetMovieAsync(1, Ct);
        Assert.NotNull(toyStory);
        Assert.Equal("Toy Story", toyStory.Title);
        Assert.Equal(1995, toyStory.Year);
        Assert.Equal(["Adventure", "Animation", "Children"], toyStory.Genres);
        var babylon = await Store.GetMovieAsync(2, Ct);
        Assert.NotNull(babylon);
        Assert.Null(babylon.Year);
        Assert.Empty(babylon.Genres);
    }

    [Fact]
    public async Task GetMovies_returns_the_known_ids_only()
    {
        await AddAsync(M(1, "One"), M(2, "Two"), M(3, "Three"));

        var found = await Store.GetMoviesAsync([3, 1, 99], Ct);

        Assert.Equal([1, 3], found.Keys.Order());
        Assert.Equal("Three", found[3].Title);
        Assert.Empty(await Store.GetMoviesAsync([], Ct));
    }

    [Fact]
    public async Task Upsert_replaces_title_year_and_genres_but_keeps_popularity()
    {
        await AddAsync(M(1, "Old Title", 1990, "Drama"), M(2, "Aaa", 1990, "Drama"));
        await RateAsync((1, 1, 5f, 100), (2, 1, 4.5f, 100));

        await AddAsync(M(1, "New Title", 1991, "Comedy", "comedy", "Horror"));

        var movie = await Store.GetMovieAsync(1, Ct);
        Assert.Equal(new[] { "Comedy", "Horror" }, movie!.Genres);
        Assert.Equal(("New Title", 1991), (movie.Title, movie.Year));
        Assert.Equal(["Comedy", "Drama", "Horror"], await Store.GenresAsync(Ct));
        Assert.Empty(await TitlesAsync(genre: "Drama", search: "title"));
        Assert.Equal(["New Title", "Aaa"], await TitlesAsync());
    }

    [Fact]
    public async Task Search_matches_title_text_case_insensitively()
    {
        await AddAsync(M(1, "The Silent Harbor"), M(2, "Harbor Lights"), M(3, "Amélie"), M(4, "Silence"));

        Assert.Equal(["Harbor Lights", "The Silent Harbor"], await TitlesAsync("HARBOR"));
        Assert.Equal(["Amélie"], await TitlesAsync("AMÉLIE"));
        Assert.Equal(["Silence", "The Silent Harbor"], await TitlesAsync("silen"));
        Assert.Empty(await TitlesAsync("submarine"));
        Assert.Equal(4, (await TitlesAsync("")).Length);
    }

    [Fact]
    public async Task Search_treats_like_wildcards_quotes_and_backslashes_literally()
    {
        await AddAsync(
            M(1, "100% Pure"), M(2, "1000 Pure"), M(3, "Under_score"), M(4, "Underscore"),
            M(5, "It's \"Quoted\""), M(6, "Back\\slash"), M(7, "Backslash"));

        Assert.Equal(["100% Pure"], await TitlesAsync("%"));
        Assert.Equal(["100% Pure"], await TitlesAsync("0% p"));
        Assert.Equal(["Under_score"], await TitlesAsync("r_s"));
        Assert.Equal(["It's \"Quoted\""], await TitlesAsync("'s \"q"));
        Assert.Equal(["Back\\slash"], await TitlesAsync("k\\s"));
        Assert.Equal(["Back\\slash"], await TitlesAsync("\\"));
    }

    [Fact]
    public async Task Search_filters_by_exact_genre_ignoring_case_and_combines_with_text()
    {
        await AddAsync(M(1, "Alien", 1979, "Horror", "Sci-Fi"), M(2, "Star Wars", 1977, "Action", "Sci-Fi"), M(3, "Scary", 1990, "Horror"));

        Assert.Equal(["Alien", "Star Wars"], await TitlesAsync(genre: "sci-fi"));
        Assert.Empty(await TitlesAsync(genre: "Sci"));
        Assert.Equal(["Alien"], await TitlesAsync("LIE", "SCI-FI"));
        Assert.Equal(["Alien", "Scary"], await TitlesAsync(genre: "horror"));
        Assert.Equal(2, (await Store.SearchAsync(null, "Horror", 1, 10, Ct)).Total);
    }

    [Fact]
    public async Task Search_orders_by_positive_preferences_then_title()
    {
        await AddAsync(M(1, "Beta"), M(2, "Alpha"), M(3, "Gamma"), M(4, "Delta"));
        // Gamma: 3 positives; Delta: 1 positive + 2 negatives; Beta: 3.5 is not positive.
        await RateAsync((1, 3, 4f, 1), (2, 3, 5f, 1), (3, 3, 4.5f, 1), (1, 4, 4f, 1), (2, 4, 1f, 1), (3, 4, 3.5f, 1), (1, 1, 3.5f, 1));

        Assert.Equal(["Gamma", "Delta", "Alpha", "Beta"], await TitlesAsync());
    }

    [Fact]
    public async Task Search_pages_are_one_based_with_a_total_of_all_matches()
    {
        await AddAsync(M(1, "A"), M(2, "B"), M(3, "C"), M(4, "D"), M(5, "E"));

        var first = await Store.SearchAsync(null, null, 1, 2, Ct);
        var third = await Store.SearchAsync(null, null, 3, 2, Ct);
        var beyond = await Store.SearchAsync(null, null, 4, 2, Ct);

        Assert.Equal(["A", "B"], first.Movies.Select(m => m.Title));
        Assert.Equal((5, 1, 2), (first.Total, first.Page, first.PageSize));
        Assert.Equal(["E"], third.Movies.Select(m => m.Title));
        Assert.Empty(beyond.Movies);
        Assert.Equal(5, beyond.Total);
        Assert.Equal(MovieKeys.MaxPageSize, (await Store.SearchAsync(null, null, 1, 10_000, Ct)).PageSize);
    }

    [Fact]
    public async Task Genres_lists_each_genre_once_in_order()
    {
        await AddAsync(M(1, "One", 2000, "Drama", "Comedy"), M(2, "Two", 2000, "Comedy"), M(3, "Three", 2000, "Action"));

        Assert.Equal(["Action", "Comedy", "Drama"], await Store.GenresAsync(Ct));
    }
}
