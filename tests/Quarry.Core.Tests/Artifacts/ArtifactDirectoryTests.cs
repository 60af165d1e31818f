using System.Text;
using Microsoft.Extensions.Time.Testing;
using Quarry.Core.Artifacts;
using Quarry.TestSupport;

namespace Quarry.Core.Tests.Artifacts;

public sealed class ArtifactDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Publish_writes_the_artifact_then_a_checkpoint_naming_it()
    {
        var store = new ArtifactDirectory(_temp.Path, "model", "bin");
        Assert.Null(store.ReadCheckpoint());

        var publication = await store.PublishAsync("1.0.0", "http://example/data set.csv", Write("first"), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(publication, store.ReadCheckpoint());
        Assert.Equal("http://example/data%20set.csv", publication.Source);
        Assert.Equal("first", await File.ReadAllTextAsync(store.ArtifactPath(publication), TestContext.Current.CancellationToken));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public async Task Publication_times_strictly_increase_even_with_a_stopped_clock()
    {
        var store = new ArtifactDirectory(_temp.Path, "model", "bin");
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(50));
        var first = await store.PublishAsync("1", "s", Write("a"), clock, TestContext.Current.CancellationToken);
        var second = await store.PublishAsync("1", "s", Write("b"), clock, TestContext.Current.CancellationToken);
        Assert.True(second.UnixNanoseconds > first.UnixNanoseconds);
    }

    [Fact]
    public async Task Old_artifacts_are_pruned_but_the_recent_ones_kept()
    {
        var store = new ArtifactDirectory(_temp.Path, "model", "bin") { KeepPrevious = 2 };
        var published = new List<Publication>();
        for (var i = 0; i < 6; i++)
        {
            published.Add(await store.PublishAsync("1", "s", Write($"m{i}"), TimeProvider.System, TestContext.Current.CancellationToken));
        }

        var left = Directory.GetFiles(_temp.Path, "model-*.bin").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(published.TakeLast(3).Select(store.ArtifactPath), left);
    }

    [Fact]
    public async Task A_failed_write_leaves_the_previous_file_intact()
    {
        var path = Path.Combine(_temp.Path, "file.txt");
        await AtomicFile.WriteTextAsync(path, "old", TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync("new but unfinished"u8.ToArray(), ct);
            throw new IOException("disk full");
        }, TestContext.Current.CancellationToken));

        Assert.Equal("old", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    private static Func<Stream, CancellationToken, Task> Write(string text) =>
        (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask();
}
