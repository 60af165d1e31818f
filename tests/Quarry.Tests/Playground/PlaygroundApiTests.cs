using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Playground;
using Quarry.Tests.Infrastructure;
using Quarry.TestSupport;

namespace Quarry.Tests.Playground;

/// <summary><c>/py/eval</c> and <c>/python</c> over real HTTP, with real sandboxes behind them.</summary>
public sealed class PlaygroundApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Eval_runs_code_whatever_the_content_type_and_reports_errors_in_stderr()
    {
        await using var server = await StartAsync();
        foreach (var content in new HttpContent[]
        {
            new StringContent("""{"code":"print(5)"}""", Encoding.UTF8, "application/json"),
            new StringContent("""{"code":"print(5)"}""", Encoding.UTF8, "text/plain"),
            new ByteArrayContent("""{"code":"print(5)"}"""u8.ToArray()),
        })
        {
            using var response = await server.Client.PostAsync("/py/eval", content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            var r = doc.RootElement;
            Assert.Equal("5\n", r.GetProperty("stdout").GetString());
            Assert.Equal("", r.GetProperty("stderr").GetString());
            Assert.Equal(0, r.GetProperty("exitCode").GetInt32());
            Assert.False(r.GetProperty("timedOut").GetBoolean());
            Assert.False(r.GetProperty("truncated").GetBoolean());
            Assert.True(r.GetProperty("durationMs").GetDouble() > 0);
        }

        var error = await EvalAsync(server.Client, "print('before')\n1/0");
        Assert.Equal("before\n", error.GetProperty("stdout").GetString());
        var stderr = error.GetProperty("stderr").GetString()!;
        Assert.Contains("ZeroDivisionError: division by zero", stderr, StringComparison.Ordinal);
        Assert.Contains("File \"<playground>\", line 2", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("<string>", stderr, StringComparison.Ordinal); // the bootstrap's own frame is not shown
        Assert.Equal(1, error.GetProperty("exitCode").GetInt32());

        var syntax = await EvalAsync(server.Client, "def (");
        Assert.Contains("SyntaxError", syntax.GetProperty("stderr").GetString(), StringComparison.Ordinal);
        var exit = await EvalAsync(server.Client, "import sys\nsys.exit(3)");
        Assert.Equal(3, exit.GetProperty("exitCode").GetInt32());
        var unicode = await EvalAsync(server.Client, "print('héllo ✓')");
        Assert.Equal("héllo ✓\n", unicode.GetProperty("stdout").GetString());

        using var hint = await server.Client.GetAsync("/py/eval", Ct);
        Assert.Equal(HttpStatusCode.OK, hint.StatusCode);
        Assert.Equal("text/plain", hint.Content.Headers.ContentType?.MediaType);
        Assert.Contains("POST", await hint.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 400)]
    [InlineData("print(5)", 400)]
    [InlineData("{\"code\":", 400)]
    [InlineData("[\"print(5)\"]", 400)]
    [InlineData("\"print(5)\"", 400)]
    [InlineData("{}", 400)]
    [InlineData("{\"cod\":\"print(5)\"}", 400)]
    [InlineData("{\"code\":5}", 400)]
    [InlineData("{\"code\":null}", 400)]
    [InlineData("{\"code\":[\"print(5)\"]}", 400)]
    [InlineData("{\"code\":{\"x\":1}}", 400)]
    public async Task Malformed_bodies_get_problem_details(string body, int status)
    {
        await using var server = await StartAsync();
        using var response = await server.Client.PostAsync("/py/eval", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        await AssertProblemAsync(response, status);
    }

    [Fact]
    public async Task Oversized_code_and_bodies_get_413_and_invalid_utf8_400()
    {
        await using var server = await StartAsync(b => b.Configuration["Quarry:Playground:MaxCodeBytes"] = "1000");
        var tenMegabytes = JsonSerializer.Serialize(new { code = "#" + new string('x', 10_000_000) });
        // As curl does for large bodies, ask before sending: the server refuses from the Content-Length alone.
        using (var patient = server.CreateClientWaitingForContinue())
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/py/eval") { Content = new StringContent(tenMegabytes) })
        {
            request.Headers.ExpectContinue = true;
            using var response = await patient.SendAsync(request, Ct);
            await AssertProblemAsync(response, 413);
        }

        using (var response = await server.Client.PostAsync("/py/eval", new StringContent(JsonSerializer.Serialize(new { code = new string('1', 1001) })), Ct))
        {
            var detail = await AssertProblemAsync(response, 413);
            Assert.Contains("1001 bytes", detail, StringComparison.Ordinal);
        }

        using (var response = await server.Client.PostAsync("/py/eval", new ByteArrayContent([.. "{\"code\":\""u8, 0xFF, 0xFE, .. "\"}"u8]), Ct))
        {
            await AssertProblemAsync(response, 400);
        }

        // The server is fine afterwards.
        Assert.Equal("ok\n", (await EvalAsync(server.Client, "print('ok')")).GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task The_page_posts_a_form_field_or_json_and_gets_html_or_json_back()
    {
        await using var server = await StartAsync();
        using (var page = await server.Client.GetAsync("/python", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("name=\"code\"", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // A browser form without JavaScript: HTML back, with the output escaped.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/python") { Content = new FormUrlEncodedContent([new("code", "print('<b>' + 'x')")]) })
        {
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
            using var response = await server.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = await response.Content.ReadAsStringAsync(Ct);
            Assert.Contains("&lt;b&gt;x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>x", html, StringComparison.Ordinal);
            Assert.Contains("exit 0", html, StringComparison.Ordinal);
        }

        // The same form field from a script: JSON back.
        using (var response = await server.Client.PostAsync("/python", new FormUrlEncodedContent([new("code", "print(6*7)")]), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal("42\n", doc.RootElement.GetProperty("stdout").GetString());
        }

        using (var response = await server.Client.PostAsync("/python", new StringContent("""{"code":"print(7)"}""", Encoding.UTF8, "application/json"), Ct))
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal("7\n", doc.RootElement.GetProperty("stdout").GetString());
        }

        using (var response = await server.Client.PostAsync("/python", new FormUrlEncodedContent([new("source", "print(1)")]), Ct))
        {
            await AssertProblemAsync(response, 400);
        }

        using (var response = await server.Client.PostAsync("/python", new StringContent("""{"code":true}""", Encoding.UTF8, "application/json"), Ct))
        {
            await AssertProblemAsync(response, 400);
        }
    }

    [Fact]
    public async Task The_page_forwards_to_a_remote_evaluator_when_configured()
    {
        // The evaluator keeps 4 bytes of output, which shows which server ran the code.
        await using var evaluator = await StartAsync(b => b.Configuration["Quarry:Playground:Limits:OutputBytesPerStream"] = "4");
        await using var ui = await StartAsync(b => b.Configuration["Quarry:Playground:EvaluatorUrl"] = evaluator.BaseAddress.ToString());
        using (var response = await ui.Client.PostAsync("/python", new FormUrlEncodedContent([new("code", "print('123456789')")]), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal("1234", doc.RootElement.GetProperty("stdout").GetString());
            Assert.True(doc.RootElement.GetProperty("truncated").GetBoolean());
        }

        // The evaluator's own 4xx reaches the caller unchanged in meaning.
        await using var small = await StartAsync(b => b.Configuration["Quarry:Playground:MaxCodeBytes"] = "10");
        await using var ui2 = await StartAsync(b => b.Configuration["Quarry:Playground:EvaluatorUrl"] = small.BaseAddress.ToString());
        using (var response = await ui2.Client.PostAsync("/py/eval", new StringContent("""{"code":"print('a long line')"}"""), Ct))
        {
            await AssertProblemAsync(response, 413);
        }
    }

    [Fact]
    public async Task An_unreachable_remote_evaluator_is_a_502_problem()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        await using var ui = await StartAsync(b => b.Configuration["Quarry:Playground:EvaluatorUrl"] = $"http://127.0.0.1:{port}/");
        using var response = await ui.Client.PostAsync("/python", new FormUrlEncodedContent([new("code", "print(1)")]), Ct);
        var detail = await AssertProblemAsync(response, 502);
        Assert.Contains($"127.0.0.1:{port}", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_print_answers_while_twenty_busy_loops_still_run_and_abandoned_loops_are_stopped()
    {
        // The loops end only at their 5 s CPU limit or when their callers leave (the wall clock and the sandbox start timeout are
        // hang guards). The print runs at the same CPU share as each loop, so under any load it answers first unless it is
        // queued behind them or starved.
        await using var server = await StartAsync(b =>
        {
            b.Configuration["Quarry:Playground:Limits:Wall"] = "00:05:00";
            b.Configuration["Quarry:Playground:StartTimeout"] = "00:05:00";
        });
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var hogs = Enumerable.Range(0, 20)
            .Select(_ => client.PostAsync("/py/eval", new StringContent("""{"code":"while True:\n    pass"}"""), abandon.Token)).ToList();
        var evaluator = server.App.Services.GetRequiredService<PlaygroundEvaluator>();
        await Wait.UntilAsync(() => evaluator.Running == 20, TimeSpan.FromMinutes(2), () => $"the 20 busy loops to run (running: {evaluator.Running})");

        var print = await EvalAsync(client, "print(1)");
        var ended = hogs.Where(h => h.IsCompleted).ToList();
        int running = evaluator.Running;
        Assert.Equal("1\n", print.GetProperty("stdout").GetString());
        if (ended.Count > 0)
        {
            Assert.Fail($"{ended.Count} busy loops ended before the print answered, the first with {await DescribeAsync(ended[0])}");
        }

        Assert.Equal(20, running);

        // Callers that go away take their runs with them: every sandbox is killed and its slot freed.
        await abandon.CancelAsync();
        foreach (var hog in hogs)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hog);
        }

        await Wait.UntilAsync(() => evaluator.Running == 0, TimeSpan.FromMinutes(2), () => $"the abandoned loops to stop (running: {evaluator.Running})");
    }

    [Fact]
    public async Task Disabled_playground_is_not_served()
    {
        await using var server = await StartAsync(b => b.Configuration["Quarry:Services"] = "playlists, jobs");
        using var response = await server.Client.PostAsync("/py/eval", new StringContent("""{"code":"print(1)"}"""), Ct);
        await AssertProblemAsync(response, 404);
    }

    internal static async Task<JsonElement> EvalAsync(HttpClient client, string code)
    {
        using var response = await client.PostAsync("/py/eval", new StringContent(JsonSerializer.Serialize(new { code }), Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static async Task<string> DescribeAsync(Task<HttpResponseMessage> hog)
    {
        using var response = await hog;
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
    }

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(status, doc.RootElement.GetProperty("status").GetInt32());
        return doc.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
    }

    private static Task<QuarryServer> StartAsync(Action<WebApplicationBuilder>? configure = null) => QuarryServer.StartAsync(b =>
    {
        b.Configuration["Quarry:Playlists:Bootstrap"] = "false";
        b.Configuration["Quarry:Movies:Bootstrap"] = "false";
        b.Configuration["Quarry:Predict:Bootstrap"] = "false";
        configure?.Invoke(b);
    });
}
