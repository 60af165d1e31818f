using Quarry.Learn.Data;
using Quarry.Vision.Datasets;

namespace Quarry.Vision.Tests;

/// <summary>Reads the published Fashion-MNIST files that Debian's dataset-fashion-mnist package installs (.ci/run installs it).</summary>
public sealed class PublishedDatasetTests
{
    private const string Folder = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void The_published_files_read_with_their_counts_and_match_their_checksums()
    {
        var dataset = DigitDataset.FashionMnist;
        foreach (var file in dataset.Files)
        {
            Assert.True(DigitDatasetStore.Matches(Path.Combine(Folder, file.Name), file), $"{file.Name} checksum");
        }

        var train = ImageSet.Load(Path.Combine(Folder, dataset.TrainImages.Name), Path.Combine(Folder, dataset.TrainLabels.Name));
        var test = ImageSet.Load(Path.Combine(Folder, dataset.TestImages.Name), Path.Combine(Folder, dataset.TestLabels.Name));
        Assert.Equal((60_000, 28, 28), (train.Count, train.Rows, train.Columns));
        Assert.Equal(10_000, test.Count);
        Assert.Equal(6_000, train.Labels.Count(l => l == 3)); // the classes are balanced
    }
}
