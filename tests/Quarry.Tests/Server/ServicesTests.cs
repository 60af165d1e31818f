using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Predict;
using Quarry.Tests.Infrastructure;

namespace Quarry.Tests.Server;

/// <summary><c>Quarry__Services</c> chooses what one server runs, so roles can be deployed apart.</summary>
public sealed class ServicesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_playground_only_server_serves_the_playground_and_nothing_else()
    {
        await using var server = await QuarryServer.StartAsync(b => b.Configuration["Quarry:Services"] = "playground");
        using (var eval = await server.Client.PostAsync("/py/eval", new StringContent("""{"code":"print(3)"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, eval.StatusCode);
        }

        foreach (var path in new[] { "/api/movies", "/jobs", "/api/playlists/songs", "/predictions" })
        {
            using var response = await server.Client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }

        // Ready at once: no model to wait for, no demo training started.
        using (var ready = await server.Client.GetAsync("/readyz", Ct))
        {
            var body = await ready.Content.ReadAsStringAsync(Ct);
            Assert.True(ready.StatusCode == HttpStatusCode.OK, body);
            Assert.DoesNotContain("movies", body, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(server.DataDir, "movies")));
        using var about = JsonDocument.Parse(await server.Client.GetStringAsync("/api/about", Ct));
        var pages = about.RootElement.GetRawText();
        Assert.Contains("/python", pages, StringComparison.Ordinal);
        Assert.DoesNotContain("/movies.html", pages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predictions_bring_the_job_service_they_run_on()
    {
        await using var server = await QuarryServer.StartAsync(b => b.Configuration["Quarry:Services"] = "predict");
        using var jobs = await server.Client.GetAsync("/jobs", Ct);
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        using var python = await server.Client.GetAsync("/py/eval", Ct);
        Assert.Equal(HttpStatusCode.NotFound, python.StatusCode);
    }

    [Fact]
    public async Task Predictions_and_jobs_together_map_the_job_api_once()
    {
        await using var server = await QuarryServer.StartAsync(b => b.Configuration["Quarry:Services"] = "jobs,predict");
        using var jobs = await server.Client.GetAsync("/jobs", Ct);
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
    }

    [Fact]
    public void Adding_a_service_twice_registers_no_more_than_adding_it_once()
    {
        var adds = QuarryApp.Services.Select(s => (s.Name, s.Add))
            .Append(("predict worker", services => services.AddPredictWorker()));
        foreach (var (name, add) in adds)
        {
            var once = new ServiceCollection();
            add(once);
            var twice = new ServiceCollection();
            add(twice);
            add(twice);
            var extra = twice.GroupBy(d => d.ServiceType).Where(g => g.Count() > once.Count(d => d.ServiceType == g.Key)).Select(g => g.Key.Name);
            Assert.True(once.Count == twice.Count, $"{name}: {once.Count} registrations when added once, {twice.Count} when added twice ({string.Join(", ", extra)})");
        }
    }
}
