using Quarry.Learn.Association;
using Quarry.Playlists.Model;

namespace Quarry.Playlists.Tests.Model;

public sealed class RuleModelFileTests
{
    private static RuleModel Sample() => new(
        1000,
        ["Song, with comma", "Ünïcödé ♫", "plain"],
        [400, 300, 200],
        [new AssociationRule([0], 1, 150, 0.75, 1.8), new AssociationRule([0, 1], 2, 120, 0.8, 4.0)],
        new MiningSettings(25, 0.7, 8));

    private static async Task<byte[]> BytesAsync(RuleModel model)
    {
        using var stream = new MemoryStream();
        await RuleModelFile.WriteAsync(model, stream, TestContext.Current.CancellationToken);
        return stream.ToArray();
    }

    [Fact]
    public async Task Round_trip_keeps_everything()
    {
        var read = RuleModelFile.Read(await BytesAsync(Sample()), TestContext.Current.CancellationToken);
        Assert.Equal(1000, read.TransactionCount);
        Assert.Equal(Sample().Songs, read.Songs);
        Assert.Equal(Sample().SongSupport, read.SongSupport);
        Assert.Equal(new MiningSettings(25, 0.7, 8), read.Settings);
        Assert.Equal(2, read.Rules.Count);
        Assert.Equal([0, 1], read.Rules[1].Antecedent);
        Assert.Equal((2, 120, 0.8, 4.0), (read.Rules[1].Consequent, read.Rules[1].Support, read.Rules[1].Confidence, read.Rules[1].Lift));
        Assert.Equal(["plain"], read.Recommend(["Song, with comma", "Ünïcödé ♫"], 5).Songs);
    }

    [Fact]
    public async Task Every_truncation_is_rejected()
    {
        var bytes = await BytesAsync(Sample());
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => RuleModelFile.Read(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public async Task Every_flipped_byte_is_rejected()
    {
        var bytes = await BytesAsync(Sample());
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x41;
            Assert.Throws<InvalidDataException>(() => RuleModelFile.Read(copy));
        }
    }

    [Fact]
    public async Task A_large_model_round_trips()
    {
        var songs = Enumerable.Range(0, 5000).Select(i => $"song {i}").ToArray();
        var rules = Enumerable.Range(0, 20000).Select(i => new AssociationRule([i % 4000, 4000 + (i % 500)], 4500 + (i % 500), 10, 0.9, 2)).ToArray();
        var model = new RuleModel(10000, songs, songs.Select(_ => 10).ToArray(), rules, new MiningSettings(10, 0.7, 3));
        var read = RuleModelFile.Read(await BytesAsync(model));
        Assert.Equal(20000, read.Rules.Count);
        Assert.Equal(model.Recommend(["song 7", "song 4007"], 3).Songs, read.Recommend(["song 7", "song 4007"], 3).Songs);
    }
}
