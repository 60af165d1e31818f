using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Core.Artifacts;
using Quarry.TestSupport;

namespace Quarry.Core.Tests.Artifacts;

public sealed class ArtifactWatcherTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ModelSwap<string> _swap = new();
    private readonly TextLoader _loader;
    private readonly ArtifactWatcher<string> _watcher;

    public ArtifactWatcherTests()
    {
        _loader = new TextLoader(new ArtifactDirectory(_temp.Path, "model", "txt"));
        _watcher = new ArtifactWatcher<string>(_swap, _loader, TimeProvider.System, NullLogger<ArtifactWatcher<string>>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _watcher.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Nothing_published_means_no_model()
    {
        Assert.False(await _watcher.CheckAsync(Ct));
        Assert.Null(_swap.Current);
    }

    [Fact]
    public async Task A_newer_publication_is_loaded_and_swapped_in()
    {
        var first = await PublishAsync("one");
        Assert.True(await _watcher.CheckAsync(Ct));
        Assert.Equal("one", _swap.Current!.Model);
        Assert.Equal(first, _swap.Current.Publication);

        Assert.False(await _watcher.CheckAsync(Ct)); // same checkpoint: nothing to do
        await PublishAsync("two");
        Assert.True(await _watcher.CheckAsync(Ct));
        Assert.Equal("two", _swap.Current!.Model);
    }

    [Fact]
    public async Task A_corrupt_artifact_is_rejected_once_and_the_old_model_keeps_serving()
    {
        await PublishAsync("good");
        await _watcher.CheckAsync(Ct);
        await PublishAsync("CORRUPT");

        Assert.False(await _watcher.CheckAsync(Ct));
        Assert.False(await _watcher.CheckAsync(Ct));
        Assert.Equal("good", _swap.Current!.Model);
        Assert.Equal(1, _loader.CorruptLoads); // not retried while the checkpoint stays the same

        await PublishAsync("better");
        Assert.True(await _watcher.CheckAsync(Ct));
        Assert.Equal("better", _swap.Current!.Model);
    }

    [Fact]
    public async Task A_missing_artifact_or_garbled_checkpoint_keeps_the_old_model()
    {
        var good = await PublishAsync("good");
        await _watcher.CheckAsync(Ct);

        await File.WriteAllTextAsync(_loader.Directory.CheckpointPath, $"1.0.0 src {good.UnixNanoseconds + 10}", Ct);
        Assert.False(await _watcher.CheckAsync(Ct));
        await File.WriteAllTextAsync(_loader.Directory.CheckpointPath, "garbage", Ct);
        Assert.False(await _watcher.CheckAsync(Ct));
        Assert.Equal("good", _swap.Current!.Model);
    }

    [Fact]
    public async Task The_running_watcher_picks_up_a_publication_without_being_asked()
    {
        await _watcher.StartAsync(Ct);
        try
        {
            await PublishAsync("live");
            await Wait.UntilAsync(() => _swap.Current?.Model == "live", TimeSpan.FromSeconds(20), "the watcher to load the new model");
        }
        finally
        {
            await _watcher.StopAsync(CancellationToken.None);
        }
    }

    private Task<Publication> PublishAsync(string content) =>
        _loader.Directory.PublishAsync("1.0.0", "src", (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(), TimeProvider.System, Ct);

    private sealed class TextLoader(ArtifactDirectory directory) : IArtifactLoader<string>
    {
        public int CorruptLoads { get; private set; }

        public string Name => "text";

        public ArtifactDirectory Directory { get; } = directory;

        public string Load(string path, CancellationToken cancellationToken)
        {
            var text = File.ReadAllText(path);
            if (text == "CORRUPT")
            {
                CorruptLoads++;
                throw new InvalidDataException("corrupt");
            }

            return text;
        }
    }
}
