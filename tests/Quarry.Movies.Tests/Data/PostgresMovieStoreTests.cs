using Npgsql;
using Quarry.Movies.Data;

namespace Quarry.Movies.Tests.Data;

public sealed class PostgresMovieStoreTests(PostgresServer server) : MovieStoreContract, IClassFixture<PostgresServer>
{
    private string? _connectionString;

    protected override async Task<IMovieStore> CreateStoreAsync(TimeProvider clock)
    {
        _connectionString ??= await CreateDatabaseAsync();
        return new PostgresMovieStore(_connectionString, clock);
    }

    // A fresh database per test keeps tests independent on the shared server.
    private async Task<string> CreateDatabaseAsync()
    {
        var name = "movies_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
    }

    [Fact]
    public async Task The_data_is_visible_to_a_second_store_on_the_same_database()
    {
        await AddAsync(M(1, "Alpha", 1999, "Drama"));
        await RateAsync((3, 1, 4f, 9));

        await using var other = new PostgresMovieStore(_connectionString!, Clock);
        await other.InitializeAsync(Ct);

        Assert.Equal((1, 1L, 1), await other.CountsAsync(Ct));
        Assert.Equal("postgres", other.Name);
    }
}
