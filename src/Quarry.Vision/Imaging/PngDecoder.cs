using System.Buffers.Binary;
using System.IO.Compression;

namespace Quarry.Vision.Imaging;

/// <summary>
/// Decodes the PNGs a digit drawing produces into greyscale: 8-bit grey, grey + alpha, RGB or RGBA, not interlaced.
/// Transparent pixels count as black (the background MNIST digits are drawn on). Anything else is an
/// <see cref="InvalidDataException"/> saying what is unsupported.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>Width, height and the grey value (0–255) of each pixel, row by row.</summary>
    public static (int Width, int Height, byte[] Grey) Decode(ReadOnlySpan<byte> data, int maxSide = 1024)
    {
        if (!IsPng(data))
        {
            throw new InvalidDataException("not a PNG file");
        }

        var position = Signature.Length;
        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        while (true)
        {
            if (position + 8 > data.Length)
            {
                throw new InvalidDataException("the PNG ends before its IEND chunk");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
            var type = System.Text.Encoding.ASCII.GetString(data.Slice(position + 4, 4));
            if (length < 0 || position + 12L + length > data.Length)
            {
                throw new InvalidDataException($"the PNG's {type} chunk runs past the end of the file");
            }

            var body = data.Slice(position + 8, length);
            position += 12 + length;
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    var (depth, color, interlace) = (body[8], body[9], body[12]);
                    channels = color switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 0 };
                    if (depth != 8 || channels == 0 || interlace != 0)
                    {
                        throw new InvalidDataException($"unsupported PNG (bit depth {depth}, colour type {color}, interlace {interlace}); use 8-bit grey, RGB or RGBA, not interlaced");
                    }

                    if (width < 1 || height < 1 || width > maxSide || height > maxSide)
                    {
                        throw new InvalidDataException($"the PNG is {width}×{height}; at most {maxSide}×{maxSide} is read");
                    }

                    break;
                case "IDAT":
                    compressed.Write(body);
                    break;
                case "IEND":
                    return (width, height, Unfilter(compressed, width, height, channels));
            }
        }
    }

    private static byte[] Unfilter(MemoryStream compressed, int width, int height, int channels)
    {
        if (channels == 0)
        {
            throw new InvalidDataException("the PNG has no IHDR chunk");
        }

        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        compressed.Position = 0;
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            if (zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false) < raw.Length)
            {
                throw new InvalidDataException("the PNG's image data is shorter than its size says");
            }
        }

        var previous = new byte[stride];
        var current = new byte[stride];
        var grey = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan((y * (stride + 1)) + 1, stride);
            for (var i = 0; i < stride; i++)
            {
                int left = i >= channels ? current[i - channels] : 0, up = previous[i], corner = i >= channels ? previous[i - channels] : 0;
                current[i] = (byte)(line[i] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, corner),
                    _ => throw new InvalidDataException($"unknown PNG filter {filter}"),
                });
            }

            for (var x = 0; x < width; x++)
            {
                var p = current.AsSpan(x * channels, channels);
                var value = channels switch
                {
                    1 => p[0],
                    2 => p[0] * p[1] / 255,
                    3 => ((299 * p[0]) + (587 * p[1]) + (114 * p[2])) / 1000,
                    _ => ((299 * p[0]) + (587 * p[1]) + (114 * p[2])) / 1000 * p[3] / 255,
                };
                grey[(y * width) + x] = (byte)value;
            }

            (previous, current) = (current, previous);
        }

        return grey;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
