using Quarry.Core.Artifacts;
using Quarry.Learn.Recommenders;
using Quarry.Movies.Data;

namespace Quarry.Movies.Model;

/// <summary>
/// The movie model's artifact (<c>.qmovies</c>, little-endian, documented in docs/movies.md): header, the movie
/// snapshot with popularity, then EASE's dense item-item weights or kNN's neighbour lists, then a SHA-256.
/// </summary>
public static class MovieModelFile
{
    /// <summary>File name extension of the artifacts.</summary>
    public const string Extension = "qmovies";

    /// <summary>Current format version.</summary>
    public const ushort FormatVersion = 1;

    private const string What = "movie model";
    private const byte EaseKind = 1;
    private const byte KnnKind = 2;
    private static readonly byte[] Magic = "QMOV"u8.ToArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static async Task WriteAsync(MovieModel model, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var output = new ChecksummedWriter(stream);
        var w = output.Writer;
        var kind = model.Recommender switch
        {
            EaseModel => EaseKind,
            ItemKnnModel => KnnKind,
            _ => throw new ArgumentException($"Cannot store a {model.Recommender.GetType().Name}.", nameof(model)),
        };
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(kind);
        w.Write((byte)0);
        w.Write(model.Movies.Count);
        w.Write(model.Info.Users);
        w.Write(model.Info.Preferences);
        w.Write(model.Info.Lambda);
        w.Write(model.Info.Neighbours);

        for (var i = 0; i < model.Movies.Count; i++)
        {
            var movie = model.Movies[i];
            w.Write(movie.Id);
            w.Write(movie.Year ?? -1);
            w.Write(model.Popularity[i]);
            WriteShort(w, movie.Title);
            WriteShort(w, string.Join('|', movie.Genres));
            await output.FlushIfLargeAsync(cancellationToken);
        }

        if (model.Recommender is EaseModel ease)
        {
            await output.WriteSinglesAsync(ease.Weights.ToArray(), cancellationToken);
        }
        else
        {
            var (offsets, items, weights) = ((ItemKnnModel)model.Recommender).Export();
            foreach (var o in offsets)
            {
                w.Write(o);
            }

            for (var i = 0; i < items.Length; i++)
            {
                w.Write(items[i]);
                w.Write(weights[i]);
                await output.FlushIfLargeAsync(cancellationToken);
            }
        }

        await output.FinishAsync(cancellationToken);
    }

    /// <summary>Reads and validates a model file; damage is an <see cref="InvalidDataException"/>.</summary>
    public static MovieModel Read(string path, CancellationToken cancellationToken = default) => Read(File.ReadAllBytes(path), cancellationToken);

    /// <summary>Reads and validates a model held in memory.</summary>
    public static MovieModel Read(ReadOnlySpan<byte> data, CancellationToken cancellationToken = default)
    {
        var r = ArtifactReader.Open(data, Magic, What);
        var version = r.UInt16();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Movie model format {version} is not supported (this build reads {FormatVersion}).");
        }

        var kind = r.Byte();
        r.Byte();
        var items = r.Count("movie count");
        var info = new MovieModelInfo(kind == EaseKind ? "ease" : "knn", r.Count("user count"), r.Int64(), r.Single(), r.Count("neighbour count"));
        var movies = new Movie[items];
        var popularity = new int[items];
        var ids = new HashSet<int>();
        for (var i = 0; i < items; i++)
        {
            var id = r.Int32();
            var year = r.Int32();
            popularity[i] = r.Count("popularity");
            var title = r.ShortString();
            var genres = r.ShortString();
            if (!ids.Add(id))
            {
                throw new InvalidDataException($"Movie {id} appears twice.");
            }

            movies[i] = new Movie(id, title, year < 0 ? null : year, genres.Length == 0 ? [] : genres.Split('|'));
        }

        cancellationToken.ThrowIfCancellationRequested();
        MovieModel model;
        if (kind == EaseKind)
        {
            var weights = new float[checked((long)items * items)];
            r.Singles(weights);
            var ease = EaseModel.FromWeights(items, info.Lambda, weights);
            model = new MovieModel(movies, popularity, ease, ease.Weight, info);
        }
        else if (kind == KnnKind)
        {
            var offsets = new int[items + 1];
            for (var i = 0; i <= items; i++)
            {
                offsets[i] = r.Int32();
                if (i > 0 && offsets[i] < offsets[i - 1])
                {
                    throw new InvalidDataException("Neighbour offsets go backwards.");
                }
            }

            var neighbours = new int[offsets[items]];
            var weights = new float[neighbours.Length];
            for (var i = 0; i < neighbours.Length; i++)
            {
                neighbours[i] = r.Index(items, "Neighbour");
                weights[i] = r.Single();
            }

            var knn = ItemKnnModel.Import(items, info.Neighbours, offsets, neighbours, weights);
            model = new MovieModel(movies, popularity, knn, knn.Weight, info);
        }
        else
        {
            throw new InvalidDataException($"Unknown model kind {kind}.");
        }

        return r.AtEnd ? model : throw new InvalidDataException("Trailing bytes after the model.");
    }

    private static void WriteShort(BinaryWriter writer, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"Text of {bytes.Length} bytes is longer than the format allows.");
        }

        writer.Write((ushort)bytes.Length);
        writer.Write(bytes);
    }
}
