using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Deploy.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Deploy.Tests;

/// <summary>The published output of <c>deploy/publish.sh</c>, made once for the tests that run it as the image would.</summary>
public sealed class PublishedImage : IAsyncLifetime
{
    internal Dockerfile Dockerfile { get; } = Dockerfile.Load();

    private readonly TempDirectory _output = new("quarry-publish-");

    public PublishedImage() => Directory = ReadableByAll(_output.Path);

    public string Directory { get; }

    internal Tool.Result? Publish { get; private set; }

    /// <summary>Where the build stage publishes to (the argument the Dockerfile gives the script).</summary>
    public string BuildOutput { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        // The build stage's publish step, exactly as the Dockerfile writes it, with the output redirected to a temp dir.
        var run = Assert.Single(Dockerfile["build"].All("RUN"), r => r.Contains("deploy/publish.sh", StringComparison.Ordinal));
        var words = run.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var script = Array.FindIndex(words, w => w.EndsWith("deploy/publish.sh", StringComparison.Ordinal));
        BuildOutput = words[script + 1];
        Publish = await Tool.RunAsync("bash", [Repo.Path("deploy", "publish.sh"), Directory], TimeSpan.FromMinutes(8));
    }

    /// <summary>As files in an image layer: readable and listable by the image's user.</summary>
    private static string ReadableByAll(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        return path;
    }

    public ValueTask DisposeAsync()
    {
        _output.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The Dockerfile's steps without a container engine: its publish, then `quarry serve` started as its ENTRYPOINT and CMD
/// start it, as its USER, on a read-only root filesystem with only the data volume and /tmp writable.
/// </summary>
public sealed class ImageStepsTests(PublishedImage published) : IClassFixture<PublishedImage>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dockerfile.Stage Runtime => published.Dockerfile.Runtime;

    [Fact]
    public void The_publish_step_produces_what_the_runtime_stage_copies_and_runs()
    {
        Assert.True(published.Publish!.ExitCode == 0, published.Publish.Both);
        Assert.Contains($"--from=build {published.BuildOutput} ", Runtime.All("COPY").Single() + " ");
        var entrypoint = Runtime.Exec("ENTRYPOINT");
        Assert.Equal("dotnet", entrypoint[0]);
        Assert.StartsWith(published.BuildOutput + "/", entrypoint[1], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(published.Directory, Path.GetFileName(entrypoint[1]))));
        Assert.True(Directory.Exists(Path.Combine(published.Directory, "wwwroot")), "the web UI is published");
        Assert.Equal(["serve"], Runtime.Exec("CMD"));
        Assert.NotEqual("0", Runtime.Last("USER"));
        Assert.Contains("/data", Runtime.Last("VOLUME") ?? "");
        Assert.Equal("/data", Runtime.Environment["QUARRY_DATA_DIR"]);
        Assert.Contains(Runtime.Instructions, i => i.Keyword == "LABEL" && i.Text.Contains("org.opencontainers.image.version", StringComparison.Ordinal));
        Assert.Contains(Runtime.All("RUN"), r => r.Contains("python3", StringComparison.Ordinal) && r.Contains("bubblewrap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_as_the_image_user_on_a_read_only_root_turns_ready_and_passes_its_healthcheck()
    {
        Assert.True(published.Publish!.ExitCode == 0, published.Publish.Both);
        await using var server = new ImageServer(published.Directory, Runtime, unmaskedProc: false, new Dictionary<string, string>());
        await server.StartAsync(); // waits until /readyz answers 200: models trained into /data, job backend up

        using (var ready = await server.Client.GetAsync(new Uri(server.BaseAddress, "/readyz"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (var recommend = await server.Client.PostAsJsonAsync(new Uri(server.BaseAddress, "/api/recommend"), new { songs = Array.Empty<string>() }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, recommend.StatusCode);
        }

        using (var page = await server.Client.GetAsync(server.BaseAddress, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the web UI from /app/wwwroot
        }

        // What the server wrote is in the data volume, owned by the image's user.
        var sandbox = server.Sandbox();
        var written = Directory.EnumerateFileSystemEntries(server.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(written);
        if (ImageSandbox.IsRoot)
        {
            var owners = await Tool.RunAsync("stat", ["-c", "%u %n", .. written], TimeSpan.FromSeconds(30));
            Assert.All(owners.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                line => Assert.StartsWith(sandbox.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", line, StringComparison.Ordinal));
        }

        // The HEALTHCHECK command, run in the same place, passes.
        var (options, command) = Runtime.HealthCheck;
        Assert.Contains("interval", options.Keys);
        var health = await RunInAsync(sandbox, command);
        Assert.True(health.ExitCode == 0, $"HEALTHCHECK failed: {health.Both}");

        // Everything but the data volume and /tmp is read-only for the process.
        var write = await RunInAsync(sandbox, ["/bin/sh", "-c", "id -u; touch /app/x || touch /etc/x || touch /x || exit 3; exit 0"]);
        Assert.Equal(3, write.ExitCode);
        Assert.Contains("Read-only file system", write.Error, StringComparison.Ordinal);
        if (ImageSandbox.IsRoot)
        {
            Assert.Equal(sandbox.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), write.Output.Trim());
        }

        var scratch = await RunInAsync(sandbox, ["/bin/sh", "-c", "touch /data/probe /tmp/probe"]);
        Assert.True(scratch.ExitCode == 0, scratch.Both);
    }

    [Fact]
    public async Task The_evaluator_sandboxes_python_as_the_image_user_only_when_proc_is_unmasked()
    {
        Assert.True(published.Publish!.ExitCode == 0, published.Publish.Both);
        var evaluator = new Dictionary<string, string> { ["Quarry__Services"] = "playground" };

        // As a container runtime sets up /proc by default: bubblewrap cannot mount a /proc for the sandbox, and an
        // evaluator (Quarry__Services=playground) refuses to start, saying why.
        await using (var masked = new ImageServer(published.Directory, Runtime, unmaskedProc: false, evaluator))
        {
            var sandbox = masked.Sandbox();
            await sandbox.PrepareAsync();
            var refused = await RunInAsync(sandbox, null, TimeSpan.FromMinutes(2));
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("Can't mount proc", refused.Both, StringComparison.Ordinal);
        }

        // With the pod settings of deploy/k8s/components/playground-userns (procMount: Unmasked in a user namespace).
        await using var server = new ImageServer(published.Directory, Runtime, unmaskedProc: true, evaluator);
        await server.StartAsync();
        using var response = await server.Client.PostAsync(new Uri(server.BaseAddress, "/py/eval"),
            new StringContent("""{"code":"import os\nprint(6 * 7, os.getuid())"}"""), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal("42 65534\n", result.GetProperty("stdout").GetString());
        Assert.Equal(0, result.GetProperty("exitCode").GetInt32());
    }

    private static async Task<Tool.Result> RunInAsync(ImageSandbox sandbox, IEnumerable<string>? command, TimeSpan? timeout = null)
    {
        var info = sandbox.StartInfo(command);
        return await Tool.RunAsync(info.FileName, info.ArgumentList, timeout ?? TimeSpan.FromSeconds(60));
    }
}
