using Quarry.Playlists.Data;
using Quarry.TestSupport;

namespace Quarry.Playlists.Tests.Data;

public sealed class PlaylistCsvTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reads_the_spotify_schema_with_quoted_names()
    {
        var path = Write("mpd.csv", """
            track_uri,album_name,album_uri,artist_name,artist_uri,duration_ms,pid,track_name
            spotify:track:1,"Songs, Vol. 1",spotify:album:1,"Earth, Wind & Fire",spotify:artist:1,200000,0,"September"
            spotify:track:2,Thriller,spotify:album:2,Michael Jackson,spotify:artist:2,250000,0,"Say ""Yes"", Please"
            spotify:track:1,"Songs, Vol. 1",spotify:album:1,"Earth, Wind & Fire",spotify:artist:1,200000,1,September

            """);

        var data = PlaylistCsv.Read(path, ct: Ct);

        Assert.Equal(["September", "Say \"Yes\", Please"], data.Songs);
        Assert.Equal(Sets(["September", "Say \"Yes\", Please"], ["September"]), Named(data));
        Assert.Equal(new PlaylistStats(2, 2, 3, 3), data.Stats);
    }

    [Fact]
    public void Reads_the_short_schema_with_split_playlists_duplicates_and_empty_tracks()
    {
        var path = Write("gen.csv", """
             PID ,name,album_name,artist_name,duration_ms, Track_Name
            7,"Road trip, 2",A,X,1,Alpha
            8,chill,A,X,1,Beta
            7,"Road trip, 2",A,X,1,Gamma
            7,"Road trip, 2",A,X,1,Alpha
            8,chill,A,X,1,
            9,empty,A,X,1,""
            """);

        var data = PlaylistCsv.Read(path, ct: Ct);

        Assert.Equal(Sets(["Alpha", "Gamma"], ["Beta"]), Named(data));
        Assert.Equal(6, data.Rows);
        Assert.All(data.Playlists, p => Assert.Equal(p.Order(), p));
    }

    [Fact]
    public void Reads_every_csv_in_a_directory_in_name_order()
    {
        Write("b.csv", "pid,track_name\n1,Second\n2,Third\n");
        Write("a.csv", "track_name,pid\nFirst,1\n");
        Write("notes.txt", "pid,track_name\n3,Ignored\n");

        var data = PlaylistCsv.Read(_temp.Path, ct: Ct);

        Assert.Equal(["First", "Second", "Third"], data.Songs);
        Assert.Equal(Sets(["First", "Second"], ["Third"]), Named(data));
    }

    [Fact]
    public void A_missing_column_is_named_with_the_columns_found()
    {
        var path = Write("bad.csv", "pid,name,song\n1,x,y\n");

        var error = Assert.Throws<InvalidDataException>(() => PlaylistCsv.Read(path, ct: Ct));

        Assert.Contains("'track_name' is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("pid, name, song", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_row_names_its_line()
    {
        var path = Write("short.csv", "pid,name,track_name\n1,x,\"multi\nline\"\n2,y\n");

        var error = Assert.Throws<InvalidDataException>(() => PlaylistCsv.Read(path, ct: Ct));

        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_csv_names_the_file_line()
    {
        var path = Write("broken.csv", "pid,track_name\n1,ok\n2,bro\"ken\n");

        var error = Assert.Throws<InvalidDataException>(() => PlaylistCsv.Read(path, ct: Ct));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_is_a_clear_error()
    {
        var missing = Path.Combine(_temp.Path, "nope.csv");

        var error = Assert.Throws<FileNotFoundException>(() => PlaylistCsv.Read(missing, ct: Ct));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_progress_and_honours_cancellation()
    {
        var path = Path.Combine(_temp.Path, "big.csv");
        PlaylistGenerator.WriteFile(path, new PlaylistGeneratorOptions { Playlists = 12_000 }, Ct);
        var reports = new List<long>();

        var data = PlaylistCsv.Read(path, new SyncProgress(reports.Add), Ct);

        Assert.True(reports.Count >= 3, $"{reports.Count} reports");
        Assert.Equal(data.Rows, reports[^1]);
        Assert.Equal(reports.Order(), reports);

        using var cts = new CancellationTokenSource();
        var cancelling = new SyncProgress(_ => cts.Cancel());
        Assert.Throws<OperationCanceledException>(() => PlaylistCsv.Read(path, cancelling, cts.Token));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static List<string[]> Named(PlaylistData data) =>
        [.. data.Playlists.Select(p => p.Select(id => data.Songs[id]).Order(StringComparer.Ordinal).ToArray())];

    private static List<string[]> Sets(params string[][] playlists) =>
        [.. playlists.Select(p => p.Order(StringComparer.Ordinal).ToArray())];

    /// <summary>Calls back on the reading thread, unlike Progress&lt;T&gt;.</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
