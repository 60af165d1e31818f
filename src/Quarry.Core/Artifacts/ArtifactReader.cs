using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Quarry.Core.Artifacts;

/// <summary>
/// Bounds-checked little-endian reads over an artifact written by <see cref="ChecksummedWriter"/>. Running past
/// the end, or any checksum mismatch, is an <see cref="InvalidDataException"/> (a damaged file), never a crash.
/// </summary>
public ref struct ArtifactReader
{
    /// <summary>Size of the trailing checksum.</summary>
    public const int ChecksumSize = 32;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    private ArtifactReader(ReadOnlySpan<byte> body, int position)
    {
        _data = body;
        _position = position;
    }

    /// <summary>True when every byte before the checksum was read.</summary>
    public readonly bool AtEnd => _position == _data.Length;

    /// <summary>
    /// Checks the magic and the checksum of <paramref name="file"/> and returns a reader positioned after the magic.
    /// <paramref name="what"/> names the kind of file in error messages.
    /// </summary>
    public static ArtifactReader Open(ReadOnlySpan<byte> file, ReadOnlySpan<byte> magic, string what)
    {
        if (file.Length < magic.Length + ChecksumSize || !file[..magic.Length].SequenceEqual(magic))
        {
            throw new InvalidDataException($"Not a {what} file (bad magic or too short).");
        }

        var body = file[..^ChecksumSize];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(file[^ChecksumSize..]))
        {
            throw new InvalidDataException($"Checksum mismatch: the {what} file is damaged or was not written completely.");
        }

        return new ArtifactReader(body, magic.Length);
    }

    /// <summary>One byte.</summary>
    public byte Byte() => Take(1)[0];

    /// <summary>An unsigned 16-bit number.</summary>
    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>A signed 32-bit number.</summary>
    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>A 32-bit number that must not be negative; <paramref name="what"/> names it in the error.</summary>
    public int Count(string what)
    {
        var value = Int32();
        return value >= 0 ? value : throw new InvalidDataException($"Negative {what}.");
    }

    /// <summary>A 32-bit number in [0, <paramref name="limit"/>).</summary>
    public int Index(int limit, string what)
    {
        var value = Int32();
        return value >= 0 && value < limit ? value : throw new InvalidDataException($"{what} {value} is out of range (0..{limit - 1}).");
    }

    /// <summary>A signed 64-bit number.</summary>
    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>A 32-bit float.</summary>
    public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    /// <summary>A 64-bit float.</summary>
    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>A UTF-8 string with a 16-bit byte length in front.</summary>
    public string ShortString() => Encoding.UTF8.GetString(Take(UInt16()));

    /// <summary>Raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes(int count) => Take(count);

    /// <summary>Fills <paramref name="destination"/> with little-endian floats.</summary>
    public void Singles(Span<float> destination)
    {
        var bytes = Take(checked(destination.Length * sizeof(float)));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float), sizeof(float)));
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw new InvalidDataException("The file ends in the middle of a record.");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
