using Quarry.Movies.Data;
using Quarry.TestSupport;

namespace Quarry.Movies.Tests.Import;

/// <summary>A temp directory for input files and a fresh SQLite store to import into.</summary>
public abstract class ImporterFixture : IAsyncLifetime
{
    private SqliteMovieStore? _store;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TempDirectory Files { get; } = new();

    internal SqliteMovieStore Store => _store ?? throw new InvalidOperationException("not initialized");

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteMovieStore(Files.File("store/movies.db"));
        await _store.InitializeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Files.Dispose();
    }

    protected string Write(string relativePath, string text)
    {
        var path = Files.File(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    protected async Task<List<(string User, int Movie, float Rating, long UnixTime)>> PreferencesAsync()
    {
        var all = new List<(string User, int Movie, float Rating, long UnixTime)>();
        await foreach (var preference in Store.ReadPreferencesAsync(Ct))
        {
            all.Add(preference);
        }

        return [.. all.OrderBy(p => p.User, StringComparer.Ordinal).ThenBy(p => p.Movie)];
    }

    /// <summary>Collects every report synchronously, unlike <see cref="Progress{T}"/>.</summary>
    protected sealed class Recorder<T> : IProgress<T>
    {
        public List<T> Reports { get; } = [];

        public void Report(T value) => Reports.Add(value);
    }
}
