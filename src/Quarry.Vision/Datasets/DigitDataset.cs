namespace Quarry.Vision.Datasets;

/// <summary>One file of a dataset: its published name and the MD5 of the published gzip and, where known, of its content.</summary>
/// <param name="Name">Published file name (gzip), e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
/// <param name="GzipMd5">MD5 of the published gzip file.</param>
/// <param name="ContentMd5">MD5 of the decompressed file, accepted when a mirror re-compressed it; null when unknown.</param>
public sealed record DatasetFile(string Name, string GzipMd5, string? ContentMd5)
{
    /// <summary>The decompressed file's name.</summary>
    public string RawName => Name[..^".gz".Length];
}

/// <summary>A 28×28, ten-class idx dataset the classifier trains on, with the mirrors it is downloaded from.</summary>
/// <param name="Name">The name users give (<c>mnist</c>, <c>kmnist</c>, <c>fashion-mnist</c>).</param>
/// <param name="Mirrors">Base addresses tried in order; each file's name is appended.</param>
/// <param name="TrainImages">Training images.</param>
/// <param name="TrainLabels">Training labels.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="TestLabels">Test labels.</param>
public sealed record DigitDataset(
    string Name, IReadOnlyList<string> Mirrors, DatasetFile TrainImages, DatasetFile TrainLabels, DatasetFile TestImages, DatasetFile TestLabels)
{
    /// <summary>The four files, training first.</summary>
    public IReadOnlyList<DatasetFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>MNIST handwritten digits (the mirrors torchvision uses).</summary>
    public static DigitDataset Mnist { get; } = new(
        "mnist",
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
        new("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
        new("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", null),
        new("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", null),
        new("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", null));

    /// <summary>Kuzushiji-MNIST: ten classes of cursive Japanese characters (the mirror torchvision uses).</summary>
    public static DigitDataset Kmnist { get; } = new(
        "kmnist",
        ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"],
        new("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7", null),
        new("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344", null),
        new("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7", null),
        new("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134", null));

    /// <summary>Fashion-MNIST: ten classes of clothing (the mirror torchvision uses).</summary>
    public static DigitDataset FashionMnist { get; } = new(
        "fashion-mnist",
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        new("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
        new("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", "9018921c3c673c538a1fc5bad174d6f9"),
        new("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", "8181f5470baa50b63fa0f6fddb340f0a"),
        new("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", "15d484375f8d13e6eb1aabb0c3f46965"));

    /// <summary>Every dataset by name.</summary>
    public static IReadOnlyList<DigitDataset> All { get; } = [Mnist, Kmnist, FashionMnist];

    /// <summary>The names users may give, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(d => d.Name));

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive; <c>fashion_mnist</c> and <c>fashionmnist</c> too), or null.</summary>
    public static DigitDataset? Find(string? name)
    {
        var key = name?.Trim().ToLowerInvariant().Replace('_', '-');
        return key == "fashionmnist" ? FashionMnist : All.FirstOrDefault(d => d.Name == key);
    }
}
