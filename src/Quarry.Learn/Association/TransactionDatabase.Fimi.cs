using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

public sealed partial class TransactionDatabase
{
    // Labels up to this bound (or up to a few times the item total) are remapped through a flat array.
    private const int DirectMapLimit = 1 << 22;

    /// <summary>
    /// Reads the FIMI format: one transaction per line, space-separated non-negative integer labels; blank lines are empty transactions.
    /// Returns the database over dense ids (assigned in ascending label order) and the label of each dense id.
    /// </summary>
    public static (TransactionDatabase Database, int[] Labels) ReadFimi(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var builder = ParseFimi(stream);
        var labels = RemapToDense(builder);
        return (builder.Build(), labels);
    }

    private static TransactionBuilder ParseFimi(Stream stream)
    {
        // A label and its separator take two bytes at least and about four in the usual files: reserve for three.
        var builder = new TransactionBuilder(stream.CanSeek ? (int)Math.Min(stream.Length / 3, 1 << 28) + 1024 : 1024);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var items = new int[64];
        try
        {
            var line = 1;
            var carried = 0;
            while (true)
            {
                if (carried == buffer.Length)
                {
                    // One line longer than the buffer.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, carried).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = stream.Read(buffer, carried, buffer.Length - carried);
                var length = carried + read;
                if (read == 0)
                {
                    // A last line without a newline counts when it holds an item.
                    if (length > 0)
                    {
                        buffer[length] = (byte)'\n';
                        ParseLines(buffer.AsSpan(0, length + 1), builder, ref items, line, lastLine: true);
                    }

                    return builder;
                }

                // Whole lines are parsed here; the unfinished one moves to the front of the buffer for the next read.
                var newline = buffer.AsSpan(carried, read).LastIndexOf((byte)'\n');
                if (newline < 0)
                {
                    carried = length;
                    continue;
                }

                var end = carried + newline + 1;
                line = ParseLines(buffer.AsSpan(0, end), builder, ref items, line, lastLine: false);
                carried = length - end;
                buffer.AsSpan(end, carried).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses lines that each end with a newline; returns the number of the next line.</summary>
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ParseLines(ReadOnlySpan<byte> text, TransactionBuilder builder, ref int[] itemBuffer, int line, bool lastLine)
    {
        var items = itemBuffer;
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var digit = (uint)(c - '0');
            if (digit <= 9)
            {
                // The line's newline ends every number. Up to 18 digits cannot overflow a long; longer ones are checked aside.
                var start = i;
                long value = digit;
                while ((digit = (uint)(text[++i] - '0')) <= 9)
                {
                    value = (value * 10) + digit;
                }

                if (i - start > 18 || value > int.MaxValue)
                {
                    value = LongLabel(text[start..i], line);
                }

                if (count == items.Length)
                {
                    items = Grow(items);
                }

                items[count++] = (int)value;
                continue;
            }

            if (c == '\n')
            {
                if (!lastLine || count > 0)
                {
                    builder.AddTransaction(items.AsSpan(0, count));
                }

                count = 0;
                line++;
            }
            else if (c is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                ThrowUnexpected(line, c);
            }

            i++;
        }

        itemBuffer = items;
        return line;
    }

    // Rare paths live in helpers so that the parse loop keeps its values in registers.
    /// <summary>A label of many digits: valid only with leading zeros and a value up to int.MaxValue.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int LongLabel(ReadOnlySpan<byte> digits, int line)
    {
        long value = 0;
        foreach (var c in digits)
        {
            value = (value * 10) + (c - '0');
            if (value > int.MaxValue)
            {
                throw new FormatException($"FIMI line {line}: item label exceeds {int.MaxValue}.");
            }
        }

        return (int)value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int[] Grow(int[] items)
    {
        Array.Resize(ref items, items.Length * 2);
        return items;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnexpected(int line, byte c) =>
        throw new FormatException($"FIMI line {line}: unexpected character '{(char)c}'; items must be non-negative integers.");

    private static int[] RemapToDense(TransactionBuilder builder)
    {
        var stored = builder.StoredItems;
        var maxLabel = builder.MaxItem;
        if (maxLabel < Math.Max(DirectMapLimit, 4L * stored.Length))
        {
            var map = new int[maxLabel + 1];
            foreach (var label in stored)
            {
                map[label] = 1;
            }

            var dense = 0;
            for (var label = 0; label < map.Length; label++)
            {
                map[label] = map[label] != 0 ? dense++ : -1;
            }

            var labels = new int[dense];
            for (var label = 0; label < map.Length; label++)
            {
                if (map[label] >= 0)
                {
                    labels[map[label]] = label;
                }
            }

            builder.Remap(map, dense);
            return labels;
        }

        var distinct = new HashSet<int>();
        foreach (var label in stored)
        {
            distinct.Add(label);
        }

        var sorted = distinct.ToArray();
        Array.Sort(sorted);
        var lookup = new Dictionary<int, int>(sorted.Length);
        for (var i = 0; i < sorted.Length; i++)
        {
            lookup[sorted[i]] = i;
        }

        builder.Remap(lookup);
        return sorted;
    }
}
