using System.Buffers;
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

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TransactionBuilder ParseFimi(Stream stream)
    {
        var builder = new TransactionBuilder();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var line = 1;
            long value = 0;
            var inNumber = false;
            var lineOpen = false;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    var c = buffer[i];
                    var digit = (uint)(c - '0');
                    if (digit <= 9)
                    {
                        value = (value * 10) + digit;
                        if (value > int.MaxValue)
                        {
                            throw new FormatException($"FIMI line {line}: item label exceeds {int.MaxValue}.");
                        }

                        inNumber = true;
                        lineOpen = true;
                        continue;
                    }

                    if (inNumber)
                    {
                        builder.Add((int)value);
                        value = 0;
                        inNumber = false;
                    }

                    if (c == '\n')
                    {
                        builder.EndTransaction();
                        line++;
                        lineOpen = false;
                    }
                    else if (c is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                    {
                        throw new FormatException($"FIMI line {line}: unexpected character '{(char)c}'; items must be non-negative integers.");
                    }
                }
            }

            if (inNumber)
            {
                builder.Add((int)value);
            }

            if (lineOpen)
            {
                builder.EndTransaction();
            }

            return builder;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
