namespace Quarry.Movies.Tests.Data;

public abstract partial class MovieStoreContract
{
    [Fact]
    public async Task Likes_are_listed_newest_first_and_liking_again_changes_nothing()
    {
        await AddAsync(M(1, "One"), M(2, "Two"), M(3, "Three"));

        Assert.True(await Store.SetLikeAsync("alice", 2, true, Ct));
        Assert.True(await Store.SetLikeAsync("alice", 1, true, Ct));
        Assert.True(await Store.SetLikeAsync("alice", 3, true, Ct));
        Assert.True(await Store.SetLikeAsync("alice", 2, true, Ct));

        Assert.Equal([3, 1, 2], await Store.GetLikesAsync("alice", Ct));
        Assert.Equal((3, 3L, 1), await Store.CountsAsync(Ct));
        Assert.Empty(await Store.GetLikesAsync("bob", Ct));
    }

    [Fact]
    public async Task Unliking_removes_the_like_and_repeating_it_is_harmless()
    {
        await AddAsync(M(1, "One"), M(2, "Two"));
        await Store.SetLikeAsync("alice", 1, true, Ct);
        await Store.SetLikeAsync("alice", 2, true, Ct);

        Assert.True(await Store.SetLikeAsync("alice", 1, false, Ct));
        Assert.True(await Store.SetLikeAsync("alice", 1, false, Ct));

        Assert.Equal([2], await Store.GetLikesAsync("alice", Ct));
        Assert.Equal(1L, (await Store.CountsAsync(Ct)).Preferences);
    }

    [Fact]
    public async Task Liking_or_unliking_an_unknown_movie_returns_false_and_stores_nothing()
    {
        await AddAsync(M(1, "One"));

        Assert.False(await Store.SetLikeAsync("alice", 42, true, Ct));
        Assert.False(await Store.SetLikeAsync("alice", 42, false, Ct));

        Assert.Empty(await Store.GetLikesAsync("alice", Ct));
        Assert.Equal((1, 0L, 0), await Store.CountsAsync(Ct));
    }

    [Fact]
    public async Task Likes_count_toward_popularity_until_removed()
    {
        await AddAsync(M(1, "Alpha"), M(2, "Beta"));

        await Store.SetLikeAsync("alice", 2, true, Ct);
        await Store.SetLikeAsync("alice", 2, true, Ct);
        await Store.SetLikeAsync("bob", 1, true, Ct);
        await Store.SetLikeAsync("carol", 2, true, Ct);
        Assert.Equal(["Beta", "Alpha"], await TitlesAsync());

        await Store.SetLikeAsync("alice", 2, false, Ct);
        await Store.SetLikeAsync("carol", 2, false, Ct);
        Assert.Equal(["Alpha", "Beta"], await TitlesAsync());
    }

    [Fact]
    public async Task A_like_replaces_an_earlier_rating_of_the_same_movie_as_rating_5()
    {
        await AddAsync(M(1, "Alpha"), M(2, "Beta"));
        await RateAsync((7, 2, 2f, 100), (8, 1, 4f, 100));
        Assert.Equal(["Alpha", "Beta"], await TitlesAsync());

        await Store.SetLikeAsync("7", 2, true, Ct);
        await Store.SetLikeAsync("9", 2, true, Ct);

        var liked = Assert.Single(await PreferencesAsync(), p => p.User == "7");
        Assert.Equal(("7", 2, 5f, Clock.GetUtcNow().ToUnixTimeSeconds()), liked);
        Assert.Equal(["Beta", "Alpha"], await TitlesAsync());
        Assert.Equal([2], await Store.GetLikesAsync("7", Ct));
    }

    [Fact]
    public async Task A_later_rating_of_the_same_user_and_movie_wins_within_and_across_batches()
    {
        await AddAsync(M(1, "Alpha"), M(2, "Beta"));

        await RateAsync((1, 2, 5f, 10), (1, 2, 1.5f, 20), (2, 2, 4f, 10));
        Assert.Equal([("1", 2, 1.5f, 20L), ("2", 2, 4f, 10L)], await PreferencesAsync());

        await RateAsync((2, 2, 2f, 30), (1, 2, 4.5f, 40));
        Assert.Equal([("1", 2, 4.5f, 40L), ("2", 2, 2f, 30L)], await PreferencesAsync());
        Assert.Equal((2, 2L, 2), await Store.CountsAsync(Ct));

        // Beta has one positive (user 1) against Alpha's none; a negative rating then removes it.
        Assert.Equal(["Beta", "Alpha"], await TitlesAsync());
        await RateAsync((1, 2, 3f, 50));
        Assert.Equal(["Alpha", "Beta"], await TitlesAsync());
    }

    [Fact]
    public async Task A_rating_replaces_a_like_so_it_is_no_longer_listed()
    {
        await AddAsync(M(1, "Alpha"));
        await Store.SetLikeAsync("5", 1, true, Ct);

        await RateAsync((5, 1, 2.5f, 77));

        Assert.Empty(await Store.GetLikesAsync("5", Ct));
        Assert.Equal([("5", 1, 2.5f, 77L)], await PreferencesAsync());
    }

    [Fact]
    public async Task Ratings_of_a_movie_missing_from_the_catalog_are_rejected_and_nothing_is_written()
    {
        await AddAsync(M(1, "Alpha"));

        await Assert.ThrowsAsync<ArgumentException>(() => RateAsync((1, 1, 4f, 1), (1, 999, 4f, 1)));

        Assert.Equal((1, 0L, 0), await Store.CountsAsync(Ct));
        Assert.Equal(["Alpha"], await TitlesAsync());
    }

    [Fact]
    public async Task ReadPreferences_streams_ratings_and_likes_and_counts_agree()
    {
        await AddAsync(M(1, "Alpha"), M(2, "Beta"), M(3, "Gamma"));
        await RateAsync((10, 1, 3.5f, 1_000), (10, 2, 0.5f, 1_001), (11, 3, 5f, 1_002));
        await Store.SetLikeAsync("app-user", 3, true, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Store.SetLikeAsync("app-user", 1, true, Ct);

        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(
            [("10", 1, 3.5f, 1_000L), ("10", 2, 0.5f, 1_001L), ("11", 3, 5f, 1_002L), ("app-user", 1, 5f, now), ("app-user", 3, 5f, now - 60)],
            await PreferencesAsync());
        Assert.Equal((3, 5L, 3), await Store.CountsAsync(Ct));
    }

    [Fact]
    public async Task A_large_batch_is_stored_whole()
    {
        await AddAsync([.. Enumerable.Range(1, 50).Select(i => M(i, $"Movie {i:D2}"))]);
        var ratings = Enumerable.Range(0, 20_000).Select(i => (i / 50, (i % 50) + 1, (i % 50) < 10 ? 5f : 2f, (long)i)).ToArray();

        await RateAsync(ratings);

        Assert.Equal((50, 20_000L, 400), await Store.CountsAsync(Ct));
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"Movie {i:D2}")], (await TitlesAsync()).Take(10));
    }
}
