using System.Globalization;
using System.Text;
using Quarry.Learn.Association;

namespace Quarry.Learn.Tests.Association;

public sealed class EdgeCaseTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Empty_database_yields_no_itemsets()
    {
        var database = TransactionDatabase.Create([]);
        var mined = ItemsetMiner.Mine(database, new MiningOptions(1), cancellationToken: Token);

        Assert.Equal(0, database.Count);
        Assert.Equal(0, database.ItemCount);
        Assert.Equal(0, mined.Count);
        Assert.Equal(0, mined.TransactionCount);
        Assert.False(mined.TryGetSupport([0], out _));
        Assert.Empty(RuleGenerator.Generate(mined, 0, Token));
    }

    [Fact]
    public void Identical_transactions_keep_every_itemset_at_full_support()
    {
        var transactions = Enumerable.Repeat(new[] { 3, 1, 2, 0, 4 }, 50).ToList();
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(50), cancellationToken: Token);

        Assert.Equal(31, mined.Count);
        Assert.All(Enumerable.Range(0, mined.Count), i => Assert.Equal(50, mined.Support(i)));
        Assert.True(mined.TryGetSupport([0, 1, 2, 3, 4], out var support));
        Assert.Equal(50, support);
        var rules = RuleGenerator.Generate(mined, 1.0, Token);
        Assert.Equal(75, rules.Count);
        Assert.All(rules, r => Assert.Equal(1.0, r.Lift, 12));
    }

    [Fact]
    public void Single_item_database_and_duplicated_items()
    {
        int[][] transactions = [[7, 7, 7], [], [7]];
        var database = TransactionDatabase.Create(transactions);
        var mined = ItemsetMiner.Mine(database, new MiningOptions(2), cancellationToken: Token);

        Assert.Equal(8, database.ItemCount);
        Assert.Equal([7], database[0].ToArray());
        Assert.Equal(0, database[1].Length);
        Assert.Equal(1, mined.Count);
        Assert.Equal([7], mined.Items(0).ToArray());
        Assert.Equal(2, mined.Support(0));
        Assert.Equal(2, mined.ItemSupport(7));
        Assert.Equal(0, mined.ItemSupport(3));
        Assert.Equal(0, mined.ItemSupport(100));
    }

    [Fact]
    public void Long_itemsets_are_not_capped()
    {
        var items = Enumerable.Range(0, 20).ToArray();
        var transactions = new List<int[]> { items, items, Enumerable.Range(0, 10).ToArray() };
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(2), cancellationToken: Token);

        Assert.Equal((1 << 20) - 1, mined.Count);
        Assert.True(mined.TryGetSupport(items, out var support));
        Assert.Equal(2, support);
    }

    [Fact]
    public void Negative_item_ids_and_bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TransactionDatabase.Create([[1, -2]]));
        var database = TransactionDatabase.Create([[1]]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ItemsetMiner.Mine(database, new MiningOptions(0), cancellationToken: Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => ItemsetMiner.Mine(database, new MiningOptions(1, -1), cancellationToken: Token));
        var mined = ItemsetMiner.Mine(database, new MiningOptions(1), cancellationToken: Token);
        Assert.Throws<ArgumentException>(() => mined.TryGetSupport([2, 1], out _));
    }

    [Theory]
    [InlineData(0.001, 88_162, 89)]
    [InlineData(0.0005, 88_162, 45)]
    [InlineData(0.7, 3_196, 2_238)]
    [InlineData(0.1, 8_124, 813)]
    [InlineData(0.1, 100, 10)]
    [InlineData(0.5, 0, 1)]
    [InlineData(0.0001, 10, 1)]
    [InlineData(1.0, 10, 1)]
    [InlineData(25.0, 10, 25)]
    public void Thresholds_convert_fractions_by_ceiling_and_counts_as_is(double value, int transactions, int expected)
    {
        Assert.Equal(expected, SupportThreshold.ToCount(value, transactions));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(2.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(3e9)]
    public void Invalid_thresholds_are_rejected(double value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SupportThreshold.ToCount(value, 100));
        Assert.Contains("support", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Fimi_reader_counts_blank_lines_ignores_trailing_spaces_and_remaps_labels()
    {
        var text = "10 30 30 \r\n\n   \n30 1000000\t10\n5";
        var (database, labels) = TransactionDatabase.ReadFimi(new MemoryStream(Encoding.ASCII.GetBytes(text)));

        Assert.Equal([5, 10, 30, 1_000_000], labels);
        Assert.Equal(5, database.Count);
        Assert.Equal(4, database.ItemCount);
        Assert.Equal([1, 2], database[0].ToArray());
        Assert.Equal(0, database[1].Length);
        Assert.Equal(0, database[2].Length);
        Assert.Equal([1, 2, 3], database[3].ToArray());
        Assert.Equal([0], database[4].ToArray());
    }

    [Fact]
    public void Fimi_reader_handles_huge_labels_and_a_final_newline()
    {
        var (database, labels) = TransactionDatabase.ReadFimi(new MemoryStream(Encoding.ASCII.GetBytes("2000000000 7\n7\n")));

        Assert.Equal([7, 2_000_000_000], labels);
        Assert.Equal(2, database.Count);
        Assert.Equal([0, 1], database[0].ToArray());
    }

    [Fact]
    public void Fimi_reader_gives_the_same_database_whatever_the_reads_return()
    {
        // Lines split across reads, a line far longer than the read buffer, labels with leading zeros, unsorted and repeated items.
        var longLine = string.Join(' ', Enumerable.Range(0, 30_000).Select(i => (i * 7919 % 30_011).ToString(CultureInfo.InvariantCulture)));
        var text = $"3 1 2 2\n0000000000000000000042 7\n\n{longLine}\n5 6\r\n \n9";
        var bytes = Encoding.ASCII.GetBytes(text);

        var (whole, wholeLabels) = TransactionDatabase.ReadFimi(new MemoryStream(bytes));
        var (trickled, trickledLabels) = TransactionDatabase.ReadFimi(new TrickleStream(bytes));

        Assert.Equal(7, whole.Count);
        Assert.Equal(wholeLabels, trickledLabels);
        Assert.Contains(42, wholeLabels);
        Assert.Equal(30_000, whole[3].Length);
        Assert.Equal([Array.IndexOf(wholeLabels, 1), Array.IndexOf(wholeLabels, 2), Array.IndexOf(wholeLabels, 3)], whole[0].ToArray());
        for (var t = 0; t < whole.Count; t++)
        {
            Assert.Equal(whole[t].ToArray(), trickled[t].ToArray());
        }
    }

    [Theory]
    [InlineData("1 2\n3 x\n")]
    [InlineData("1 -2\n")]
    [InlineData("99999999999\n")]
    public void Fimi_reader_rejects_malformed_input(string text)
    {
        Assert.Throws<FormatException>(() => TransactionDatabase.ReadFimi(new MemoryStream(Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void Mining_observes_cancellation_between_top_level_items()
    {
        // Item 0 is the rarest, so it is mined first; the rest would form a 2^21 lattice if cancellation were ignored.
        var transactions = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(1, 21).ToArray()).Append([0]).ToList();
        using var source = new CancellationTokenSource();
        var progress = new SynchronousProgress(value =>
        {
            if (value > 0)
            {
                source.Cancel();
            }
        });

        Assert.Throws<OperationCanceledException>(() => ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(1), progress, source.Token));
    }

    [Fact]
    public void Cancelled_token_stops_mining_and_rule_generation()
    {
        var transactions = Enumerable.Range(0, 10).Select(_ => new[] { 0, 1, 2 }).ToList();
        var mined = ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(1), cancellationToken: Token);
        using var source = new CancellationTokenSource();
        source.Cancel();

        Assert.Throws<OperationCanceledException>(() => ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(1), cancellationToken: source.Token));
        Assert.Throws<OperationCanceledException>(() => RuleGenerator.Generate(mined, 0, source.Token));
    }

    [Fact]
    public void Progress_rises_to_one()
    {
        var random = new Random(3);
        var transactions = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, 40).Where(_ => random.Next(3) == 0).ToArray()).ToList();
        var reports = new List<double>();
        ItemsetMiner.Mine(TransactionDatabase.Create(transactions), new MiningOptions(50), new SynchronousProgress(reports.Add), Token);

        Assert.True(reports.Count > 5);
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(1.0, reports[^1]);
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    /// <summary>Returns at most a few bytes per read, so that lines and numbers straddle reads.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        private int _reads;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (_reads++ % 7)));
    }
}
