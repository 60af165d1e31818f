using System.Buffers.Binary;
using System.IO.Compression;

namespace Quarry.Learn.Data;

/// <summary>An unsigned-byte array read from an idx file (the MNIST family's format): its dimensions and its values.</summary>
/// <param name="Dimensions">Sizes of each dimension, outermost first.</param>
/// <param name="Values">The values, row-major.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Values)
{
    /// <summary>Largest idx file accepted (a 60k-image set is 47 MB; this leaves room for larger sets).</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>
    /// Reads an idx file of unsigned bytes, gzip-compressed or raw (told apart by the gzip magic), checking the magic
    /// number, the dimensions and the length; any fault is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static IdxArray Read(string path, int expectedDimensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedDimensions, 1);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return Read(stream, path, expectedDimensions);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable gzip or idx file ({e.Message})", e);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: the file ends early (truncated download?)");
        }
    }

    /// <summary>Writes this array as an idx file of unsigned bytes, gzip-compressed when <paramref name="gzip"/>.</summary>
    public void Write(string path, bool gzip)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.Create(path);
        using var stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : (Stream)file;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, 0x0800 | Dimensions.Length);
        stream.Write(word);
        foreach (var size in Dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, size);
            stream.Write(word);
        }

        stream.Write(Values);
    }

    private static IdxArray Read(Stream stream, string path, int expectedDimensions)
    {
        Span<byte> header = stackalloc byte[4];
        stream.ReadExactly(header);
        if (header[0] != 0 || header[1] != 0)
        {
            throw new InvalidDataException($"{path}: not an idx file (its first bytes are {Convert.ToHexString(header)}, not 0000)");
        }

        if (header[2] != 0x08)
        {
            throw new InvalidDataException($"{path}: holds idx type 0x{header[2]:x2}; only unsigned bytes (0x08) are read");
        }

        if (header[3] != expectedDimensions)
        {
            throw new InvalidDataException($"{path}: has {header[3]} dimension(s), expected {expectedDimensions} (magic 0x{BinaryPrimitives.ReadInt32BigEndian(header):x8})");
        }

        var dimensions = new int[expectedDimensions];
        long count = 1;
        for (var d = 0; d < dimensions.Length; d++)
        {
            stream.ReadExactly(header);
            var size = BinaryPrimitives.ReadInt32BigEndian(header);
            if (size <= 0)
            {
                throw new InvalidDataException($"{path}: dimension {d} has size {size}");
            }

            dimensions[d] = size;
            count *= size;
            if (count > MaxBytes)
            {
                throw new InvalidDataException($"{path}: declares more than {MaxBytes:N0} values");
            }
        }

        var values = new byte[count];
        var read = stream.ReadAtLeast(values, values.Length, throwOnEndOfStream: false);
        if (read < values.Length)
        {
            throw new InvalidDataException($"{path}: the file ends early: {read:N0} of {values.Length:N0} values (truncated download?)");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new InvalidDataException($"{path}: has data after the {values.Length:N0} values its header declares");
        }

        return new IdxArray(dimensions, values);
    }
}
