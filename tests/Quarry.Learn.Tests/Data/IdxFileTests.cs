using System.IO.Compression;
using Quarry.Learn.Data;
using Quarry.TestSupport;

namespace Quarry.Learn.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_what_was_written_raw_or_gzip(bool gzip)
    {
        var set = SyntheticImages.Make(30, seed: 1);
        var images = Path.Combine(_temp.Path, "images");
        var labels = Path.Combine(_temp.Path, "labels");
        new IdxArray([30, 28, 28], set.Pixels).Write(images, gzip);
        new IdxArray([30], set.Labels).Write(labels, gzip);

        var read = ImageSet.Load(images, labels);
        Assert.Equal(30, read.Count);
        Assert.Equal((28, 28), (read.Rows, read.Columns));
        Assert.Equal(set.Pixels, read.Pixels);
        Assert.Equal(set.Labels, read.Labels);
        if (gzip)
        {
            Assert.Equal(0x1f, File.ReadAllBytes(images)[0]);
        }
    }

    [Fact]
    public void Reads_the_published_header_layout_byte_for_byte()
    {
        var path = Path.Combine(_temp.Path, "labels");
        File.WriteAllBytes(path, [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9]);
        var array = IdxArray.Read(path, 1);
        Assert.Equal([3], array.Dimensions);
        Assert.Equal([7, 2, 9], array.Values);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_file_names_the_file(bool gzip)
    {
        var path = Path.Combine(_temp.Path, "images");
        new IdxArray([10, 28, 28], new byte[10 * 784]).Write(path, gzip: false);
        var bytes = File.ReadAllBytes(path)[..^100];
        if (gzip)
        {
            bytes = Gzip(bytes);
            bytes = bytes[..(bytes.Length / 2)]; // a gzip stream cut short as well
        }

        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 3));
        Assert.StartsWith(path + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_magic_number_names_the_file_and_what_was_found()
    {
        var path = Path.Combine(_temp.Path, "labels");
        new IdxArray([5], [1, 2, 3, 4, 5]).Write(path, gzip: false);
        var error = Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 3)); // a label file where images belong
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("1 dimension(s), expected 3", error.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "<html>not found</html>");
        error = Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 1));
        Assert.Contains("not an idx file", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, [0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]); // float data
        error = Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 1));
        Assert.Contains("unsigned bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_data_and_impossible_sizes_are_refused()
    {
        var path = Path.Combine(_temp.Path, "labels");
        File.WriteAllBytes(path, [0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3]);
        Assert.Contains("after the 2 values", Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 1)).Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, [0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 28]);
        Assert.Contains("more than", Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 3)).Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, [0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff]);
        Assert.Contains("size -1", Assert.Throws<InvalidDataException>(() => IdxArray.Read(path, 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_and_label_counts_must_agree_and_labels_must_be_classes()
    {
        var images = Path.Combine(_temp.Path, "images");
        var labels = Path.Combine(_temp.Path, "labels");
        new IdxArray([4, 28, 28], new byte[4 * 784]).Write(images, gzip: true);
        new IdxArray([3], [1, 2, 3]).Write(labels, gzip: true);
        var error = Assert.Throws<InvalidDataException>(() => ImageSet.Load(images, labels));
        Assert.Contains("4 images", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 labels", error.Message, StringComparison.Ordinal);

        new IdxArray([4], [1, 2, 3, 10]).Write(labels, gzip: true);
        error = Assert.Throws<InvalidDataException>(() => ImageSet.Load(images, labels));
        Assert.Contains("label 10 at index 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error()
    {
        Assert.Throws<FileNotFoundException>(() => IdxArray.Read(Path.Combine(_temp.Path, "absent"), 1));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
