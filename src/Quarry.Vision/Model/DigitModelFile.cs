using Quarry.Core.Artifacts;
using Quarry.Learn.Neural;

namespace Quarry.Vision.Model;

/// <summary>The classifier artifact (<c>.qnet</c>, little-endian, checksummed like the other artifacts): header, then the parameters.</summary>
public static class DigitModelFile
{
    /// <summary>File name extension.</summary>
    public const string Extension = "qnet";

    private const ushort FormatVersion = 1;
    private const string What = "digit model";
    private static readonly byte[] Magic = "QNET"u8.ToArray();

    /// <summary>Writes <paramref name="model"/>.</summary>
    public static async Task WriteAsync(DigitModel model, Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var output = new ChecksummedWriter(stream);
        var w = output.Writer;
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write((byte)model.Network.Kind);
        var name = System.Text.Encoding.UTF8.GetBytes(model.Dataset);
        w.Write((ushort)name.Length);
        w.Write(name);
        w.Write(model.Accuracy);
        w.Write(model.Epochs);
        w.Write(model.Seed);
        var parameters = model.Network.ExportParameters();
        w.Write(parameters.Length);
        await output.WriteSinglesAsync(parameters, cancellationToken);
        await output.FinishAsync(cancellationToken);
    }

    /// <summary>Reads and validates a model file.</summary>
    public static DigitModel Read(string path) => Read(File.ReadAllBytes(path));

    /// <summary>Reads and validates a model held in memory; a damaged or foreign file is an <see cref="InvalidDataException"/>.</summary>
    public static DigitModel Read(ReadOnlySpan<byte> data)
    {
        var r = ArtifactReader.Open(data, Magic, What);
        if (r.UInt16() != FormatVersion)
        {
            throw new InvalidDataException("Unsupported digit model format version.");
        }

        var kind = r.Byte() switch
        {
            0 => NetworkKind.FeedForward,
            1 => NetworkKind.Convolutional,
            var other => throw new InvalidDataException($"Unknown network kind {other} in the digit model."),
        };
        var dataset = r.ShortString();
        var accuracy = r.Double();
        var epochs = r.Int32();
        var seed = r.Int32();
        var count = r.Count("parameter count");
        if (count != ImageNetwork.ParameterCountOf(kind))
        {
            throw new InvalidDataException($"A {ModelNames.Of(kind)} model has {ImageNetwork.ParameterCountOf(kind)} parameters; the file holds {count}.");
        }

        var parameters = new float[count];
        r.Singles(parameters);
        if (!r.AtEnd || !(accuracy is >= 0 and <= 1))
        {
            throw new InvalidDataException("The digit model is inconsistent.");
        }

        return new DigitModel(ImageNetwork.FromParameters(kind, parameters), dataset, accuracy, epochs, seed);
    }
}
