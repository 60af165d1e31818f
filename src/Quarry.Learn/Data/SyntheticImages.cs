namespace Quarry.Learn.Data;

/// <summary>
/// Seeded 28×28, ten-class image sets for tests and demos where no real dataset can be downloaded: each class is a
/// bright stroke at its own angle and length, placed with jitter on a background of sparse noise.
/// </summary>
public static class SyntheticImages
{
    /// <summary>Makes <paramref name="count"/> labelled images; the same seed gives the same set.</summary>
    public static ImageSet Make(int count, int seed, double noise = 0.15)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        for (var n = 0; n < count; n++)
        {
            var label = (byte)random.Next(10);
            labels[n] = label;
            Draw(pixels.AsSpan(n * 784, 784), label, random, noise);
        }

        return new ImageSet(pixels, labels, 28, 28, 10);
    }

    /// <summary>Writes a training and a test set as the four idx files of the MNIST layout (gzip when asked).</summary>
    public static void WriteMnistLayout(string folder, int train, int test, int seed, bool gzip = true)
    {
        Directory.CreateDirectory(folder);
        var suffix = gzip ? ".gz" : "";
        foreach (var (prefix, set) in new[] { ("train", Make(train, seed)), ("t10k", Make(test, seed + 1)) })
        {
            new IdxArray([set.Count, 28, 28], set.Pixels).Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{suffix}"), gzip);
            new IdxArray([set.Count], set.Labels).Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{suffix}"), gzip);
        }
    }

    private static void Draw(Span<byte> image, int label, Random random, double noise)
    {
        var angle = label * Math.PI / 10;
        var cx = 14 + random.Next(-2, 3);
        var cy = 14 + random.Next(-2, 3);
        var length = 6 + (label % 3 * 2);
        for (var i = 0; i < image.Length; i++)
        {
            image[i] = random.NextDouble() < noise ? (byte)random.Next(0, 160) : (byte)0;
        }

        for (var t = -length; t <= length; t++)
        {
            var x = (int)Math.Round(cx + (t * Math.Cos(angle)));
            var y = (int)Math.Round(cy + (t * Math.Sin(angle)));
            foreach (var (dx, dy) in new[] { (0, 0), (1, 0), (0, 1) })
            {
                if (x + dx is >= 0 and < 28 && y + dy is >= 0 and < 28)
                {
                    image[((y + dy) * 28) + x + dx] = (byte)random.Next(200, 256);
                }
            }
        }

        if (label >= 5)
        {
            image[(2 * 28) + 2 + label] = 255; // a dot whose place also tells the class
        }
    }
}
