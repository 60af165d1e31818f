using System.Text;
using Quarry.Core.Artifacts;
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

    private const string What = "playlist rules";
    private const int MaxSongNameBytes = ushort.MaxValue;
    private static readonly byte[] Magic = "QRUL"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static async Task WriteAsync(RuleModel model, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var output = new ChecksummedWriter(stream);
        var writer = output.Writer;
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
            await output.FlushIfLargeAsync(cancellationToken);
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
            await output.FlushIfLargeAsync(cancellationToken);
        }

        await output.FinishAsync(cancellationToken);
    }

    /// <summary>Reads and validates a model; any damage is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static RuleModel Read(string path, CancellationToken cancellationToken = default) => Read(File.ReadAllBytes(path), cancellationToken);

    /// <summary>Reads and validates a model held in memory.</summary>
    public static RuleModel Read(ReadOnlySpan<byte> data, CancellationToken cancellationToken = default)
    {
        var reader = ArtifactReader.Open(data, Magic, What);
        var version = reader.UInt16();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Rules file format {version} is not supported (this build reads {FormatVersion}).");
        }

        reader.UInt16();
        var transactions = reader.Count("transaction count");
        var songCount = reader.Count("song count");
        var ruleCount = reader.Count("rule count");
        var minSupport = reader.Count("min support");
        var minConfidence = reader.Double();
        var settings = new MiningSettings(minSupport, minConfidence, reader.Count("max length"));
        reader.Int32();

        var songs = new string[songCount];
        var support = new int[songCount];
        var seen = new HashSet<string>(songCount, StringComparer.Ordinal);
        for (var id = 0; id < songCount; id++)
        {
            support[id] = reader.Int32();
            var name = reader.ShortString();
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

            rules[r] = ReadRule(ref reader, r, songCount, transactions);
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("Trailing bytes after the last rule.");
        }

        return new RuleModel(transactions, songs, support, rules, settings);
    }

    private static AssociationRule ReadRule(ref ArtifactReader reader, int r, int songCount, int transactions)
    {
        var antecedent = new int[reader.Byte()];
        for (var i = 0; i < antecedent.Length; i++)
        {
            antecedent[i] = reader.Index(songCount, "Song id");
            if (i > 0 && antecedent[i] <= antecedent[i - 1])
            {
                throw new InvalidDataException($"Rule {r}: antecedent is not strictly ascending.");
            }
        }

        var consequent = reader.Index(songCount, "Song id");
        var support = reader.Int32();
        var confidence = reader.Double();
        var lift = reader.Double();
        if (antecedent.Length == 0 || Array.IndexOf(antecedent, consequent) >= 0
            || support <= 0 || support > transactions
            || !(confidence > 0 && confidence <= 1) || !(lift > 0 && double.IsFinite(lift)))
        {
            throw new InvalidDataException($"Rule {r} is inconsistent (empty antecedent, consequent inside it, or impossible measures).");
        }

        return new AssociationRule(antecedent, consequent, support, confidence, lift);
    }
}
