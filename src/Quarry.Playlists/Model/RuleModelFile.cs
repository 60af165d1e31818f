using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Quarry.Learn.Association;

namespace Quarry.Playlists.Model;

/// <summary>
/// The playlist model's artifact format (<c>.qrules</c>, little-endian, documented in docs/playlists.md):
/// a fixed header, the songs, the rules, then a SHA-256 of everything before it, so a damaged or
/// half-written file is always rejected.
/// </summary>
public static class RuleModelFile
{
    /// <summary>File name extension of the artifacts.</summary>
    public const string Extension = "qrules";

    /// <summary>Current format version.</summary>
    public const ushort FormatVersion = 1;

    private const int HeaderSize = 40;
    private const int HashSize = 32;
    private const int MaxSongNameBytes = ushort.MaxValue;
    private static readonly byte[] Magic = "QRUL"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static async Task WriteAsync(RuleModel model, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new MemoryStream();
        var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);

        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((ushort)0);
        writer.Write(model.TransactionCount);
        writer.Write(model.Songs.Count);
        writer.Write(model.Rules.Count);
        writer.Write(model.Settings.MinSupportCount);
        writer.Write(model.Settings.MinConfidence);
        writer.Write(model.Settings.MaxLength);
        writer.Write(0);
        await FlushAsync();

        for (var id = 0; id < model.Songs.Count; id++)
        {
            var name = Encoding.UTF8.GetBytes(model.Songs[id]);
            if (name.Length > MaxSongNameBytes)
            {
                throw new ArgumentException($"Song name of {name.Length} bytes is longer than the format allows ({MaxSongNameBytes}).", nameof(model));
            }

            writer.Write(model.SongSupport[id]);
            writer.Write((ushort)name.Length);
            writer.Write(name);
            await FlushIfLargeAsync();
        }

        foreach (var rule in model.Rules)
        {
            writer.Write(checked((byte)rule.Antecedent.Length));
            foreach (var item in rule.Antecedent)
            {
                writer.Write(item);
            }

            writer.Write(rule.Consequent);
            writer.Write(rule.Support);
            writer.Write(rule.Confidence);
            writer.Write(rule.Lift);
            await FlushIfLargeAsync();
        }

        await FlushAsync();
        await stream.WriteAsync(hash.GetHashAndReset(), cancellationToken);

        async Task FlushIfLargeAsync()
        {
            if (buffer.Length >= 1 << 16)
            {
                await FlushAsync();
            }
        }

        async Task FlushAsync()
        {
            writer.Flush();
            var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            hash.AppendData(bytes.Span);
            await stream.WriteAsync(bytes, cancellationToken);
            buffer.SetLength(0);
        }
    }

    /// <summary>Reads and validates a model; any damage is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static RuleModel Read(string path, CancellationToken cancellationToken = default)
    {
        var bytes = File.ReadAllBytes(path);
        return Read(bytes, cancellationToken);
    }

    /// <summary>Reads and validates a model held in memory.</summary>
    public static RuleModel Read(ReadOnlySpan<byte> data, CancellationToken cancellationToken = default)
    {
        if (data.Length < HeaderSize + HashSize || !data[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a playlist rules file (bad magic or too short).");
        }

        var body = data[..^HashSize];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(data[^HashSize..]))
        {
            throw new InvalidDataException("Checksum mismatch: the rules file is damaged or was not written completely.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(body[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Rules file format {version} is not supported (this build reads {FormatVersion}).");
        }

        var transactions = ReadCount(body, 8, "transaction count");
        var songCount = ReadCount(body, 12, "song count");
        var ruleCount = ReadCount(body, 16, "rule count");
        var settings = new MiningSettings(
            ReadCount(body, 20, "min support"),
            BinaryPrimitives.ReadDoubleLittleEndian(body[24..]),
            ReadCount(body, 32, "max length"));

        var reader = new SpanReader(body, HeaderSize);
        var songs = new string[songCount];
        var support = new int[songCount];
        var seen = new HashSet<string>(songCount, StringComparer.Ordinal);
        for (var id = 0; id < songCount; id++)
        {
            support[id] = reader.Int32();
            var name = Encoding.UTF8.GetString(reader.Bytes(reader.UInt16()));
            if (name.Length == 0 || !seen.Add(name) || support[id] < 0 || support[id] > transactions)
            {
                throw new InvalidDataException($"Song {id} is empty, repeated or has an impossible support count.");
            }

            songs[id] = name;
        }

        var rules = new AssociationRule[ruleCount];
        for (var r = 0; r < ruleCount; r++)
        {
            if ((r & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var antecedent = new int[reader.Byte()];
            for (var i = 0; i < antecedent.Length; i++)
            {
                antecedent[i] = reader.SongId(songCount);
                if (i > 0 && antecedent[i] <= antecedent[i - 1])
                {
                    throw new InvalidDataException($"Rule {r}: antecedent is not strictly ascending.");
                }
            }

            var consequent = reader.SongId(songCount);
            var ruleSupport = reader.Int32();
            var confidence = reader.Double();
            var lift = reader.Double();
            if (antecedent.Length == 0 || Array.IndexOf(antecedent, consequent) >= 0
                || ruleSupport <= 0 || ruleSupport > transactions
                || !(confidence > 0 && confidence <= 1) || !(lift > 0 && double.IsFinite(lift)))
            {
                throw new InvalidDataException($"Rule {r} is inconsistent (empty antecedent, consequent inside it, or impossible measures).");
            }

            rules[r] = new AssociationRule(antecedent, consequent, ruleSupport, confidence, lift);
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("Trailing bytes after the last rule.");
        }

        return new RuleModel(transactions, songs, support, rules, settings);
    }

    private static int ReadCount(ReadOnlySpan<byte> body, int offset, string what)
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(body[offset..]);
        return value >= 0 ? value : throw new InvalidDataException($"Negative {what} in the header.");
    }

    /// <summary>Bounds-checked sequential reads; running past the end is a damaged file, not a crash.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> data, int position)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position = position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte Byte() => Take(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public ReadOnlySpan<byte> Bytes(int count) => Take(count);

        public int SongId(int songCount)
        {
            var id = Int32();
            return id >= 0 && id < songCount ? id : throw new InvalidDataException($"Song id {id} is out of range (0..{songCount - 1}).");
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _data.Length - _position)
            {
                throw new InvalidDataException("The rules file ends in the middle of a record.");
            }

            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
