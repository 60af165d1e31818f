using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Quarry.Deploy.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Deploy.Tests;

/// <summary>
/// A rolling update on one machine: two `quarry serve` processes behind nginx (the Service), replaced one at a time the
/// way the Deployment does it (start the new one, wait for readiness, route to it, SIGTERM the old one, which drains for
/// Quarry__DrainDelay), while `quarry probe -c` and two more clients keep asking. Then the trainer publishes a new
/// dataset into the shared data dir. Nothing may fail.
/// </summary>
public sealed partial class RollingUpdateTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replacing_both_servers_and_then_the_dataset_drops_no_request()
    {
        using var work = new TempDirectory("quarry-rollout-");
        await RolloutAsync(work.Path);
    }

    private static async Task RolloutAsync(string work)
    {
        var first = Path.Combine(work, "playlists-1.csv");
        var second = Path.Combine(work, "playlists-2.csv");
        await QuarryCli.RunAsync("datasets", "make", "playlists", "--out", first, "--playlists", "2000", "--songs", "600", "--seed", "1");
        await QuarryCli.RunAsync("datasets", "make", "playlists", "--out", second, "--playlists", "2000", "--songs", "600", "--seed", "2");

        // The old and the new release each read their model from their data dir: v1.0.0 and v2.0.0 of the same dataset.
        var oldData = Path.Combine(work, "old");
        var newData = Path.Combine(work, "new");
        var oldDate = await QuarryCli.TrainAsync(first, oldData, "1.0.0");
        var newDate = await QuarryCli.TrainAsync(first, newData, "2.0.0");

        var env = new Dictionary<string, string>
        {
            ["Quarry__DrainDelay"] = Drain.ToString("c", CultureInfo.InvariantCulture),
            ["Quarry__ShutdownTimeout"] = "00:00:20",
            ["Quarry__Services"] = "playlists",
            ["Quarry__Playlists__Bootstrap"] = "false",
        };
        var servers = new List<ServeProcess> { new(oldData, env), new(oldData, env) };
        await using var cleanup = new Cleanup(servers);
        await Task.WhenAll(servers.Select(s => s.StartAsync()));
        var nginx = new NginxServer(servers.Select(s => s.Port));
        cleanup.Add(nginx);
        await nginx.StartAsync();

        using var client = new HttpClient { BaseAddress = nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var song = (await client.GetFromJsonAsync<JsonElement>("/api/playlists/songs?limit=1", Ct)).GetProperty("songs")[0].GetProperty("song").GetString()!;

        var probe = Probe.Start(nginx.BaseAddress, song);
        cleanup.Add(probe);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // the clients stop by themselves at the latest then
        var load = Enumerable.Range(0, 2).Select(_ => Task.Run(() => LoadAsync(nginx.BaseAddress, song, stop.Token), Ct)).ToArray();
        await Wait.UntilAsync(() => probe.Rows.Any(r => r.Version == "1.0.0"), TimeSpan.FromSeconds(30), "the probe to see v1.0.0");

        var rollout = Stopwatch.StartNew();
        foreach (var old in servers.ToList())
        {
            var next = new ServeProcess(newData, env);
            cleanup.Add(next);
            await next.StartAsync();                                                // ready before it gets traffic (maxUnavailable 0)
            servers.Add(next);
            await nginx.RouteToAsync(servers.Select(s => s.Port));                  // the new pod joins the endpoints
            servers.Remove(old);
            var exited = old.TerminateAsync(Drain + TimeSpan.FromSeconds(30));      // the kubelet's SIGTERM ...
            await nginx.RouteToAsync(servers.Select(s => s.Port));                  // ... while the endpoints drop the old pod
            Assert.Equal(0, await exited);
            Assert.Contains("Shutdown requested", old.Output, StringComparison.Ordinal);
        }

        rollout.Stop();
        await Wait.UntilAsync(() => probe.Rows.Any(r => r.Version == "2.0.0" && r.ModelDate == newDate), TimeSpan.FromSeconds(30), "the probe to see v2.0.0");
        var rolloutRows = probe.Rows.Count;

        // A new dataset: the trainer publishes into the data dir the new servers share; they swap it in.
        var retrained = await QuarryCli.TrainAsync(second, newData, "2.0.0");
        Assert.NotEqual(newDate, retrained);
        await Wait.UntilAsync(() => probe.Rows.Any(r => r.ModelDate == retrained), TimeSpan.FromSeconds(30), "the probe to see the new model date");
        // Each server swaps on its own (a file watch, at most Quarry__Playlists__PollInterval late): for a moment the two
        // answer with different models, then only with the new one.
        await Wait.UntilAsync(() => probe.Rows.TakeLast(20).All(r => r.ModelDate == retrained), TimeSpan.FromSeconds(30), "20 answers in a row from the new model");

        await stop.CancelAsync();
        var clients = await Task.WhenAll(load);
        var summary = await probe.StopAsync();

        var rows = probe.Rows;
        var failures = rows.Where(r => r.Version == "error").ToList();
        Assert.True(failures.Count == 0, "probe failures:\n" + string.Join('\n', failures.Select(f => f.Line)));
        Assert.Equal("0", summary.Groups["failures"].Value);
        Assert.Empty(clients.SelectMany(c => c.Failures));

        // The probe saw the old release, then the new one, then the new model, and never went back.
        var seen = rows.Select(r => $"{r.Version} {r.ModelDate}").Distinct().ToList();
        Assert.Equal([$"1.0.0 {oldDate}", $"2.0.0 {newDate}", $"2.0.0 {retrained}"], seen);
        var lastOld = rows.FindLastIndex(r => r.Version == "1.0.0");
        var firstNewDataset = rows.FindIndex(r => r.ModelDate == retrained);
        var lastBeforeNewDataset = rows.FindLastIndex(r => r.ModelDate != retrained);
        Assert.True(lastOld < firstNewDataset);
        var mixed = Stamp(rows[Math.Max(lastBeforeNewDataset, firstNewDataset)]) - Stamp(rows[firstNewDataset]);
        Assert.True(mixed < TimeSpan.FromSeconds(5), $"the servers disagreed on the model for {mixed}");

        var requests = int.Parse(summary.Groups["requests"].Value, CultureInfo.InvariantCulture) + clients.Sum(c => c.Requests);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rollout of 2 servers: {rollout.Elapsed.TotalSeconds:F1} s; probe during rollout: {rolloutRows} rows; " +
            $"requests (probe + 2 clients): {requests}; failed: 0; probe summary: {summary.Value}; " +
            $"slowest probe answer: {rows.Max(r => r.Milliseconds):F1} ms; slowest client answer: {clients.Max(c => c.Slowest):F1} ms; " +
            $"new dataset: both servers on it {mixed.TotalMilliseconds:F0} ms after the first answer from it"));
    }

    private static DateTime Stamp(Row row) =>
        DateTime.Parse(row.Line[..row.Line.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private sealed record LoadResult(int Requests, IReadOnlyList<string> Failures, double Slowest);

    /// <summary>Asks for recommendations every 10 ms until stopped; every answer must be a 200 with songs.</summary>
    private static async Task<LoadResult> LoadAsync(Uri address, string song, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var failures = new List<string>();
        var requests = 0;
        var slowest = 0.0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var started = Stopwatch.GetTimestamp();
                requests++;
                try
                {
                    using var response = await http.PostAsJsonAsync("/api/recommend", new { songs = new[] { song } }, CancellationToken.None);
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (!response.IsSuccessStatusCode || !body.Contains("\"model_date\"", StringComparison.Ordinal))
                    {
                        failures.Add($"HTTP {(int)response.StatusCode}: {body}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    failures.Add(e.Message);
                }

                slowest = Math.Max(slowest, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        return new LoadResult(requests, failures, slowest);
    }

    /// <summary>`quarry probe -c` against the Service, its CSV rows parsed as they arrive.</summary>
    private sealed partial class Probe : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<Row> _rows = [];
        private readonly StringBuilder _error = new();

        private Probe(Process process) => _process = process;

        public List<Row> Rows
        {
            get
            {
                lock (_rows)
                {
                    return [.. _rows];
                }
            }
        }

        public static Probe Start(Uri address, string song)
        {
            var info = QuarryCli.StartInfo(["probe", "-c", "--interval", "20ms", "--timeout", "5s", "--duration", "4m", address.ToString(), song]);
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            var probe = new Probe(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
            probe._process.OutputDataReceived += (_, e) => probe.Add(e.Data);
            probe._process.ErrorDataReceived += (_, e) =>
            {
                lock (probe._error)
                {
                    probe._error.AppendLine(e.Data);
                }
            };
            probe._process.BeginOutputReadLine();
            probe._process.BeginErrorReadLine();
            return probe;
        }

        /// <summary>SIGINT, as Ctrl+C: the probe prints its summary and exits 0.</summary>
        public async Task<Match> StopAsync()
        {
            Signals.Send(_process.Id, Signals.Interrupt);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, _process.ExitCode);
            string error;
            lock (_error)
            {
                error = _error.ToString();
            }

            var summary = Summary().Match(error);
            Assert.True(summary.Success, error);
            return summary;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Add(string? line)
        {
            var match = line is null ? Match.Empty : CsvRow().Match(line);
            if (match.Success)
            {
                lock (_rows)
                {
                    _rows.Add(new Row(line!, double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture), match.Groups["version"].Value, match.Groups["date"].Value));
                }
            }
        }

        [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T[\d:.]+Z,(?<ms>[\d.]+),(?<version>[^,]+),(?<date>.*)$")]
        private static partial Regex CsvRow();

        [GeneratedRegex(@"requests=(?<requests>\d+) failures=(?<failures>\d+) longest_failure_window_ms=(?<window>\d+) p50_ms=(?<p50>[\d.]+) p99_ms=(?<p99>[\d.]+)")]
        private static partial Regex Summary();
    }

    private sealed record Row(string Line, double Milliseconds, string Version, string ModelDate);

    /// <summary>Stops whatever the test started, by PID, whatever happened.</summary>
    private sealed class Cleanup(IEnumerable<IAsyncDisposable> initial) : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _items = [.. initial];

        public void Add(IAsyncDisposable item) => _items.Add(item);

        public async ValueTask DisposeAsync()
        {
            foreach (var item in Enumerable.Reverse(_items))
            {
                await item.DisposeAsync();
            }
        }
    }
}
