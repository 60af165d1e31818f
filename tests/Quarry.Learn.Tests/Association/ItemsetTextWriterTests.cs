using System.Text;
using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

public sealed class ItemsetTextWriterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Lines_hold_labels_and_count_and_reused_prefixes_stay_correct()
    {
        using var stream = new MemoryStream();
        using (var writer = new ItemsetTextWriter(stream, [10, 200, 3000]))
        {
            writer.Receive([0, 1, 2], 7);
            writer.Receive([0, 1], 8);
            writer.Receive([0, 2], 9);
            writer.Receive([2], 12);
            writer.Receive([2, 1, 0], 5);
            Assert.Equal(5, writer.Count);
        }

        Assert.Equal("10 200 3000 (7)\n10 200 (8)\n10 3000 (9)\n3000 (12)\n3000 200 10 (5)\n", Encoding.ASCII.GetString(stream.ToArray()));
    }

    [Fact]
    public void Mined_fimi_file_written_as_text_lists_every_itemset_with_its_support()
    {
        var random = new Random(8);
        var fimi = new StringBuilder();
        for (var t = 0; t < 200; t++)
        {
            fimi.AppendJoin(' ', Enumerable.Range(0, 9).Where(i => random.NextDouble() < 0.6 - (i * 0.05)).Select(i => 100 + (i * 7))).Append('\n');
        }

        var (database, labels) = TransactionDatabase.ReadFimi(new MemoryStream(Encoding.ASCII.GetBytes(fimi.ToString())));
        using var output = new MemoryStream();
        long count;
        using (var writer = new ItemsetTextWriter(output, labels))
        {
            count = ItemsetMiner.Mine(database, new MiningOptions(20), writer, cancellationToken: Token);
        }

        var written = Encoding.ASCII.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(" ("))
            .ToDictionary(
                parts => BruteForce.Key(parts[0].Split(' ').Select(int.Parse).Order()),
                parts => int.Parse(parts[1].TrimEnd(')'), System.Globalization.CultureInfo.InvariantCulture));
        var mined = ItemsetMiner.Mine(database, new MiningOptions(20), cancellationToken: Token);
        var expected = Enumerable.Range(0, mined.Count).ToDictionary(
            i => BruteForce.Key(mined.Items(i).ToArray().Select(id => labels[id]).Order()), mined.Support);
        Assert.Equal(mined.Count, count);
        Assert.Equal(expected, written);
    }
}
