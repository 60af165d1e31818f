using Quarry.Core.Artifacts;
using Quarry.Learn.Tabular;

namespace Quarry.Predict.Model;

/// <summary>
/// The diabetes model artifact (<c>.qdiab</c>, little-endian, checksummed like the other artifacts): header, feature
/// statistics, classifier parameters, candidate scores, held-out rows, then a SHA-256.
/// </summary>
public static class DiabetesModelFile
{
    /// <summary>File name extension.</summary>
    public const string Extension = "qdiab";

    private const ushort FormatVersion = 1;
    private const string What = "diabetes model";
    private static readonly byte[] Magic = "QDIA"u8.ToArray();

    /// <summary>Writes <paramref name="model"/>.</summary>
    public static async Task WriteAsync(DiabetesModel model, Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var output = new ChecksummedWriter(stream);
        var w = output.Writer;
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(model.Demo);
        WriteString(w, model.Kind);
        WriteString(w, model.Source);
        Floats(w, model.Standardizer.Means);
        Floats(w, model.Standardizer.StdDevs);
        switch (model.Classifier)
        {
            case LogisticRegression lr:
                Floats(w, lr.Weights);
                w.Write(lr.Bias);
                break;
            case Mlp mlp:
                var (sizes, weights, biases) = mlp.Export();
                w.Write(sizes.Length);
                foreach (var size in sizes)
                {
                    w.Write(size);
                }

                for (var l = 0; l < weights.Length; l++)
                {
                    Floats(w, weights[l]);
                    Floats(w, biases[l]);
                }

                break;
            default:
                throw new ArgumentException($"Cannot store a {model.Classifier.GetType().Name}.", nameof(model));
        }

        w.Write(model.Candidates.Count);
        foreach (var c in model.Candidates)
        {
            WriteString(w, c.Kind);
            w.Write(c.MeanAccuracy);
            w.Write(c.StdAccuracy);
            w.Write(c.MeanAuc);
        }

        w.Write(model.MajorityAccuracy);
        w.Write(model.HeldOutRows.Count);
        for (var i = 0; i < model.HeldOutRows.Count; i++)
        {
            Floats(w, model.HeldOutRows[i]);
            w.Write(model.HeldOutLabels[i]);
        }

        await output.FinishAsync(cancellationToken);
    }

    /// <summary>Reads and validates a model file.</summary>
    public static DiabetesModel Read(string path) => Read(File.ReadAllBytes(path));

    /// <summary>Reads and validates a model held in memory.</summary>
    public static DiabetesModel Read(ReadOnlySpan<byte> data)
    {
        var r = ArtifactReader.Open(data, Magic, What);
        if (r.UInt16() != FormatVersion)
        {
            throw new InvalidDataException("Unsupported diabetes model format version.");
        }

        var demo = r.Byte() != 0;
        var kind = r.ShortString();
        var source = r.ShortString();
        var standardizer = new Standardizer(Floats(ref r), Floats(ref r));
        IBinaryClassifier classifier = kind switch
        {
            "logistic" => LogisticRegression.FromParameters(Floats(ref r), r.Single()),
            "mlp" => ReadMlp(ref r),
            _ => throw new InvalidDataException($"Unknown classifier kind '{kind}'."),
        };
        var candidates = new CandidateScore[r.Count("candidate count")];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = new CandidateScore(r.ShortString(), r.Double(), r.Double(), r.Double());
        }

        var majority = r.Double();
        var rows = new float[r.Count("held-out count")][];
        var labels = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Floats(ref r);
            labels[i] = r.Int32();
        }

        if (!r.AtEnd || standardizer.Means.Length != Features.Names.Count || standardizer.StdDevs.Length != Features.Names.Count)
        {
            throw new InvalidDataException("The diabetes model is inconsistent.");
        }

        return new DiabetesModel(kind, standardizer, classifier, candidates, majority, rows, labels, demo, source);
    }

    private static Mlp ReadMlp(ref ArtifactReader r)
    {
        var sizes = new int[r.Count("layer count")];
        for (var i = 0; i < sizes.Length; i++)
        {
            sizes[i] = r.Count("layer size");
        }

        var weights = new float[Math.Max(0, sizes.Length - 1)][];
        var biases = new float[weights.Length][];
        for (var l = 0; l < weights.Length; l++)
        {
            weights[l] = Floats(ref r);
            biases[l] = Floats(ref r);
        }

        return Mlp.FromParameters(sizes, weights, biases);
    }

    private static void Floats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static float[] Floats(ref ArtifactReader r)
    {
        var values = new float[r.Count("vector length")];
        r.Singles(values);
        return values;
    }

    private static void WriteString(BinaryWriter w, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        w.Write((ushort)Math.Min(bytes.Length, ushort.MaxValue));
        w.Write(bytes, 0, Math.Min(bytes.Length, ushort.MaxValue));
    }
}
