using System.Security.Cryptography;
using System.Text;
using Quarry.Core.Datasets;
using Quarry.Playlists.Data;
using Quarry.TestSupport;

namespace Quarry.Playlists.Tests.Data;

public sealed class PlaylistGeneratorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_does_not()
    {
        var options = new PlaylistGeneratorOptions { Playlists = 500 };

        var first = Generate(options);
        var again = Generate(options);
        var other = Generate(options with { Seed = 43 });

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(first)), SHA256.HashData(Encoding.UTF8.GetBytes(again)));
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Writes_the_second_schema_with_correct_quoting()
    {
        var text = Generate(new PlaylistGeneratorOptions { Playlists = 2_000 });
        using var reader = new CsvReader(new StringReader(text));
        var fields = new List<string>();

        Assert.True(reader.TryReadRow(fields));
        Assert.Equal(["pid", "name", "album_name", "artist_name", "duration_ms", "track_name"], fields);
        var songs = new Dictionary<string, (string Artist, string Duration)>(StringComparer.Ordinal);
        var rows = 0;
        var withComma = 0;
        var withQuote = 0;
        while (reader.TryReadRow(fields))
        {
            rows++;
            Assert.Equal(6, fields.Count);
            Assert.True(int.TryParse(fields[0], out _));
            Assert.InRange(int.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture), 60_000, 600_000);
            Assert.StartsWith(fields[3] + " - ", fields[5], StringComparison.Ordinal);

            // One name, one song: the same track name always comes with the same artist and duration.
            Assert.Equal(songs.GetValueOrDefault(fields[5], (fields[3], fields[4])), (fields[3], fields[4]));
            songs[fields[5]] = (fields[3], fields[4]);
            withComma += fields.Count(f => f.Contains(',', StringComparison.Ordinal)) > 0 ? 1 : 0;
            withQuote += fields.Count(f => f.Contains('"', StringComparison.Ordinal)) > 0 ? 1 : 0;
        }

        Assert.True(rows > 2_000 * 10);
        Assert.True(withComma > 100, $"{withComma} rows with a comma");
        Assert.True(withQuote > 100, $"{withQuote} rows with a quote");
    }

    [Fact]
    public void Default_options_give_realistic_sizes_and_unique_song_names()
    {
        var data = PlaylistCsv.Read(new StringReader(Generate(new PlaylistGeneratorOptions())), ct: TestContext.Current.CancellationToken);
        var stats = data.Stats;

        Assert.Equal(5_000, stats.Playlists);
        Assert.InRange(stats.Songs, 1_200, 2_000);
        Assert.InRange(stats.MeanLength, 16, 24);
        Assert.Equal(stats.Items, stats.Rows);

        // Zipf-like: the top 10% of songs cover well over a third of all plays, the bottom half very little.
        var plays = new long[data.Songs.Length];
        foreach (var song in data.Playlists.SelectMany(p => p))
        {
            plays[song]++;
        }

        var sorted = plays.OrderDescending().ToArray();
        Assert.True(sorted.Take(sorted.Length / 10).Sum() > stats.Items * 0.35);
        Assert.True(sorted.Skip(sorted.Length / 2).Sum() < stats.Items * 0.15);
    }

    [Fact]
    public void Default_options_have_association_rules_at_2_5_percent_support_and_0_7_confidence()
    {
        var data = PlaylistCsv.Read(new StringReader(Generate(new PlaylistGeneratorOptions())), ct: TestContext.Current.CancellationToken);

        var rules = BruteForceRules.Count(data.Playlists, minSupport: 0.025, minConfidence: 0.7);

        var summary = $"rules by antecedent size 1..3: {string.Join(", ", rules[1..])}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.True(rules[1] >= 20, summary);
        Assert.True(rules[2] >= 10, summary);
        Assert.True(rules.Sum() <= 600, summary);
    }

    [Fact]
    public void Fifty_thousand_playlists_stream_without_holding_the_file()
    {
        // Speed is measured in bench/ (docs/benchmarks.md), not asserted here: a shared machine's timing proves nothing.
        var counter = new LineCountingStream();
        using (var writer = new StreamWriter(counter, new UTF8Encoding(false), 1 << 16))
        {
            PlaylistGenerator.Write(writer, new PlaylistGeneratorOptions { Playlists = 50_000 }, TestContext.Current.CancellationToken);
        }

        Assert.True(counter.Lines > 50_000 * 10);
    }

    [Fact]
    public void Writes_a_file_that_the_reader_loads()
    {
        using var temp = new TempDirectory();
        var dir = temp.File("generated");
        var path = Path.Combine(dir, "synthetic.csv");
        PlaylistGenerator.WriteFile(path, new PlaylistGeneratorOptions { Playlists = 300, Songs = 400 }, TestContext.Current.CancellationToken);

        var data = PlaylistCsv.Read(path, ct: TestContext.Current.CancellationToken);

        Assert.Equal(300, data.Playlists.Length);
        Assert.Equal(["synthetic.csv"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Cancellation_stops_generation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => PlaylistGenerator.Write(TextWriter.Null, ct: cts.Token));
    }

    private static string Generate(PlaylistGeneratorOptions options)
    {
        var writer = new StringWriter();
        PlaylistGenerator.Write(writer, options, TestContext.Current.CancellationToken);
        return writer.ToString();
    }

    /// <summary>Counts line ends without keeping the bytes.</summary>
    private sealed class LineCountingStream : Stream
    {
        public long Lines { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => Lines += buffer.Count((byte)'\n');

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
