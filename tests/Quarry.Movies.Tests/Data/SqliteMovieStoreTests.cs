using Quarry.Movies.Data;
using Quarry.TestSupport;

namespace Quarry.Movies.Tests.Data;

public sealed class SqliteMovieStoreTests : MovieStoreContract
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => _directory.File("movies.db");

    protected override Task<IMovieStore> CreateStoreAsync(TimeProvider clock) =>
        Task.FromResult<IMovieStore>(new SqliteMovieStore(DatabasePath, clock));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task The_data_survives_reopening_the_file()
    {
        await AddAsync(M(1, "Alpha", 1999, "Drama"));
        await RateAsync((3, 1, 4f, 9));
        await Store.SetLikeAsync("eve", 1, true, Ct);
        await Store.DisposeAsync();

        await using var reopened = new SqliteMovieStore(DatabasePath, Clock);
        await reopened.InitializeAsync(Ct);

        Assert.Equal((1, 2L, 2), await reopened.CountsAsync(Ct));
        Assert.Equal([1], await reopened.GetLikesAsync("eve", Ct));
        Assert.Equal("sqlite", reopened.Name);
    }

    [Fact]
    public async Task Using_the_store_before_initializing_says_what_to_do()
    {
        await using var store = new SqliteMovieStore(_directory.File("other.db"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetMovieAsync(1, Ct));
        Assert.Contains("InitializeAsync", error.Message);
    }
}
