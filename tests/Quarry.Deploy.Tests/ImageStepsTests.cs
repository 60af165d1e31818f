using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Quarry.Deploy.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Deploy.Tests;

/// <summary>The published output of <c>publish.sh</c>, made once for the tests that run it as the image would.</summary>
public sealed class PublishedImage : IAsyncLifetime
{
    /// <summary>What <c>docker build --build-arg REVISION=…</c> passes on; not this checkout's commit, so it must come from the argument.</summary>
    public const string Revision = "0123456789abcdef0123456789abcdef01234567";

    internal Dockerfile Dockerfile { get; } = Dockerfile.Load();

    private readonly TempDirectory _output = new("quarry-publish-");

    public PublishedImage() => Directory = ReadableByAll(_output.Path);

    public string Directory { get; }

    internal Tool.Result? Publish { get; private set; }

    /// <summary>The build stage's RUN line that publishes.</summary>
    public string PublishStep { get; private set; } = "";

    /// <summary>Where the build stage publishes to (the argument the Dockerfile gives the script).</summary>
    public string BuildOutput { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        // The build stage's publish step, exactly as the Dockerfile writes it, with the output redirected to a temp dir.
        // The stage copies the repository into its WORKDIR, so the script's path is relative to the repository root.
        PublishStep = Assert.Single(Dockerfile["build"].All("RUN"), r => r.Contains("publish.sh", StringComparison.Ordinal));
        var words = PublishStep.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var script = Array.FindIndex(words, w => w.EndsWith("publish.sh", StringComparison.Ordinal));
        BuildOutput = words[script + 1];
        Publish = await Tool.RunAsync("bash", [Path.GetFullPath(words[script], Repo.Root), Directory], TimeSpan.FromMinutes(10),
            new Dictionary<string, string> { ["QUARRY_REVISION"] = Revision });
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
        Assert.Contains("QUARRY_REVISION=\"$REVISION\"", published.PublishStep, StringComparison.Ordinal);
        Assert.Contains($"--from=build {published.BuildOutput} ", Runtime.All("COPY").Single() + " ");

        // The entrypoint is the NativeAOT launcher itself, so `--version` and `mine` start without the runtime.
        Assert.Equal([published.BuildOutput + "/quarry"], Runtime.Exec("ENTRYPOINT"));
        Assert.Equal(["serve"], Runtime.Exec("CMD"));
        Assert.True(IsElfExecutable(Path.Combine(published.Directory, "quarry")), "the launcher is a native executable");

        // The application it execs: an apphost beside the ReadyToRun quarry.dll, the web UI, this platform's SQLite only.
        var app = Path.Combine(published.Directory, "app");
        Assert.True(IsElfExecutable(Path.Combine(app, "quarry")), "app/quarry is an apphost");
        Assert.True(File.Exists(Path.Combine(app, "quarry.dll")));
        Assert.True(Directory.Exists(Path.Combine(app, "wwwroot")), "the web UI is published");
        Assert.True(File.Exists(Path.Combine(app, "libe_sqlite3.so")), "native SQLite for this platform");
        var runtimes = Path.Combine(app, "runtimes");
        Assert.All(Directory.Exists(runtimes) ? Directory.GetDirectories(runtimes) : [],
            d => Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, Path.GetFileName(d)));

        Assert.NotEqual("0", Runtime.Last("USER"));
        Assert.Contains("/data", Runtime.Last("VOLUME") ?? "");
        Assert.Equal("/data", Runtime.Environment["QUARRY_DATA_DIR"]);
        Assert.Contains(Runtime.Instructions, i => i.Keyword == "LABEL" && i.Text.Contains("org.opencontainers.image.version", StringComparison.Ordinal));
        Assert.Contains(Runtime.All("RUN"), r => r.Contains("python3", StringComparison.Ordinal) && r.Contains("bubblewrap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_entrypoint_answers_version_itself_and_finds_the_application_beside_it_from_any_directory()
    {
        Assert.True(published.Publish!.ExitCode == 0, published.Publish.Both);
        using var data = new TempDirectory("quarry-image-data-");
        var sandbox = new ImageSandbox(published.Directory, data.Path, Runtime);
        await sandbox.PrepareAsync();
        string[] entrypoint = Runtime.Exec("ENTRYPOINT");

        // The launcher's own command, stamped with the revision the build stage was given.
        var version = await RunInAsync(sandbox, [.. entrypoint, "--version"]);
        Assert.True(version.ExitCode == 0, version.Both);
        Assert.EndsWith("+" + PublishedImage.Revision, version.Output.Trim(), StringComparison.Ordinal);

        // Every other command is the application's: only its root command lists serve. Started from /, not WORKDIR.
        var help = await RunInAsync(sandbox, ["/bin/sh", "-c", "cd / && exec \"$0\" --help", .. entrypoint]);
        Assert.True(help.ExitCode == 0, help.Both);
        Assert.Contains("serve", help.Output, StringComparison.Ordinal);
        Assert.Contains("worker", help.Output, StringComparison.Ordinal);
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

    private static bool IsElfExecutable(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path) || (File.GetUnixFileMode(path) & UnixFileMode.OtherExecute) == 0)
        {
            return false;
        }

        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }

    private static async Task<Tool.Result> RunInAsync(ImageSandbox sandbox, IEnumerable<string>? command, TimeSpan? timeout = null)
    {
        var info = sandbox.StartInfo(command);
        return await Tool.RunAsync(info.FileName, info.ArgumentList, timeout ?? TimeSpan.FromSeconds(60));
    }
}
