using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Quarry.Learn.Association;

namespace Quarry.Cli;

/// <summary><c>quarry mine</c>: frequent itemsets of a FIMI file, streamed to a file or stdout as they are found.</summary>
internal static class MineCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "FIMI transactions: one per line, items as space-separated non-negative integers." };
        var minSupport = new Option<string>("--min-support", "-s")
        {
            Description = "Least support: a fraction of the transactions below 1 (0.001), a percentage (0.1%), or a count from 1 up (89).",
            Required = true,
        };
        var output = new Option<string?>("--out", "-o") { Description = "File to write itemsets to, one per line as 'item item ... (count)'; default stdout." };
        var maxLength = new Option<int>("--max-length") { Description = "Longest itemset reported (default: no limit).", DefaultValueFactory = _ => int.MaxValue };
        var command = new Command("mine", "Mine every frequent itemset of a FIMI file (Eclat); a summary goes to stderr.") { file, minSupport, output, maxLength };
        command.SetAction((parse, cancellationToken) =>
        {
            try
            {
                return Task.FromResult(Run(parse.GetValue(file)!, parse.GetValue(minSupport)!, parse.GetValue(output), parse.GetValue(maxLength), cancellationToken));
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(1);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("cancelled");
                return Task.FromResult(130);
            }
        });
        return command;
    }

    private static int Run(string path, string support, string? outputPath, int maxLength, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var threshold = ParseSupport(support);
        if (maxLength < 1)
        {
            throw new ArgumentException($"--max-length must be at least 1; got {maxLength}.");
        }

        TransactionDatabase database;
        int[] labels;
        using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        {
            (database, labels) = TransactionDatabase.ReadFimi(input);
        }

        var minCount = SupportThreshold.ToCount(threshold, database.Count);
        var read = clock.Elapsed;
        long count;
        using (var stream = outputPath is null ? Console.OpenStandardOutput() : new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        using (var writer = new ItemsetTextWriter(stream, labels))
        {
            count = ItemsetMiner.Mine(database, new MiningOptions(minCount, maxLength), writer, cancellationToken: cancellationToken);
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} frequent itemsets (min count {minCount:N0} of {database.Count:N0} transactions); read {read.TotalSeconds:F3} s, mined and wrote {(clock.Elapsed - read).TotalSeconds:F3} s"));
        return 0;
    }

    /// <summary>A fraction, a percentage with '%', or a count, as <see cref="SupportThreshold.ToCount"/> takes it.</summary>
    internal static double ParseSupport(string text)
    {
        var percent = text.EndsWith('%');
        var number = percent ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || double.IsInfinity(value)
            || (percent && value >= 100))
        {
            throw new ArgumentException($"--min-support must be a fraction below 1, a percentage below 100% or a count; got '{text}'.");
        }

        return percent ? value / 100 : value;
    }
}
