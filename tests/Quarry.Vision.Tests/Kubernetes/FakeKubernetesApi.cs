using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>
/// A fake Kubernetes API server on 127.0.0.1 (plain HTTP) speaking the JSON wire format of the endpoints the executor
/// uses, with bearer-token authentication, the executor's RBAC, and switches to take it down or revoke its rights.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    /// <summary>The token of the service account the executor runs as (bound to the RBAC in docs/vision-kubernetes.md).</summary>
    public const string Token = "quarry-executor-token";

    /// <summary>A valid token of an account that has no role binding: authenticated, then forbidden.</summary>
    public const string UnboundToken = "unbound-account-token";

    /// <summary>A cluster administrator's token: every verb everywhere (to reach checks that come after authorization).</summary>
    public const string AdminToken = "cluster-admin-token";

    public const string User = "system:serviceaccount:quarry:quarry";

    private const string AdminUser = "kubernetes-admin";

    private const string UnboundUser = "system:serviceaccount:default:default";

    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private volatile bool _revoked;
    private volatile bool _stalled;

    private FakeKubernetesApi()
    {
    }

    public FakeCluster Cluster { get; } = new();

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var api = new FakeKubernetesApi();
        await api.ListenAsync(0);
        return api;
    }

    /// <summary>A client configuration for this server with <paramref name="token"/> (none when null).</summary>
    public KubernetesClientConfiguration Configuration(string? token = Token) => new() { Host = Url, AccessToken = token };

    /// <summary>Writes a kubeconfig for this server and <paramref name="token"/> into <paramref name="folder"/> and returns its path.</summary>
    public string WriteKubeconfig(string folder, string token = Token)
    {
        var path = Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {Url}
            users:
            - name: quarry
              user:
                token: {token}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: quarry
            current-context: fake
            """);
        return path;
    }

    /// <summary>How many requests hit <c>METHOD path</c> (watches count as <c>WATCH path</c>).</summary>
    public int Calls(string call) => _calls.GetValueOrDefault(call);

    /// <summary>Every call counted so far, for failure messages.</summary>
    public string CallSummary() => string.Join(", ", _calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));

    /// <summary>Stops listening: connections are refused and open watches end.</summary>
    public async Task GoDownAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            Cluster.DropWatches();
            await app.StopAsync(TimeSpan.FromSeconds(5));
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public Task ComeBackAsync() => _app is null ? ListenAsync(Port) : Task.CompletedTask;

    /// <summary>Removes (or restores) the executor's role bindings: its calls get 403 Forbidden and open watches end.</summary>
    public void RevokeRbac(bool revoked)
    {
        _revoked = revoked;
        Cluster.DropWatches();
    }

    /// <summary>Accepts requests but answers none (an overloaded or partitioned server) until switched back.</summary>
    public void Stall(bool stalled) => _stalled = stalled;

    public async ValueTask DisposeAsync() => await GoDownAsync();

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                if (_stalled)
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }

                await next(context);
            }
            catch (FakeStatusException e)
            {
                await WriteJson(context, e.Code, e.ToJson());
            }
        });
        Map(app);
        await app.StartAsync();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        _app = app;
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/apis/batch/v1/namespaces/{ns}/jobs", async (HttpContext context, string ns) =>
        {
            Authorize(context, "create", "jobs", "batch", ns);
            JsonObject body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
                    ?? throw FakeStatus.BadRequest("the body of the request was in an unknown format");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw FakeStatus.BadRequest($"error decoding request body: {e.Message}");
            }

            await WriteJson(context, 201, Cluster.CreateJob(ns, body));
        });
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs/{name}", (HttpContext context, string ns, string name) =>
        {
            Authorize(context, "get", "jobs", "batch", ns, name);
            return WriteJson(context, 200, Cluster.GetJob(ns, name));
        });
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs", (HttpContext context, string ns) => ListOrWatch(context, "jobs", "batch", ns));
        app.MapGet("/apis/batch/v1/jobs", (HttpContext context) => ListOrWatch(context, "jobs", "batch", null));
        app.MapGet("/api/v1/pods", (HttpContext context) => ListOrWatch(context, "pods", "", null));
        app.MapGet("/api/v1/namespaces/{ns}/pods", (HttpContext context, string ns) => ListOrWatch(context, "pods", "", ns));
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (HttpContext context, string ns, string name) =>
        {
            Authorize(context, "get", "pods", "", ns, name);
            return WriteJson(context, 200, Cluster.GetPod(ns, name));
        });
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", async (HttpContext context, string ns, string name) =>
        {
            Authorize(context, "get", "pods/log", "", ns, name);
            var log = Cluster.PodLog(ns, name);
            if (int.TryParse(context.Request.Query["limitBytes"], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit < log.Length)
            {
                log = log[..limit];
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(log, context.RequestAborted);
        });
        app.MapFallback((HttpContext context) =>
        {
            Authenticate(context);
            return WriteJson(context, 404, FakeStatus.Body(404, "NotFound", "the server could not find the requested resource"));
        });
    }

    private async Task ListOrWatch(HttpContext context, string resource, string group, string? ns)
    {
        var query = context.Request.Query;
        var watch = query["watch"] is { Count: > 0 } w && (w[0] == "true" || w[0] == "1");
        Authorize(context, watch ? "watch" : "list", resource, group, ns);
        var selector = new FakeSelector(query["labelSelector"]);
        if (!watch)
        {
            await WriteJson(context, 200, Cluster.List(resource, ns, selector));
            return;
        }

        var watcher = Cluster.Watch(resource, ns, selector, query["resourceVersion"]);
        try
        {
            var seconds = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? t : 1800;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(ended.Token);
            await context.Response.Body.FlushAsync(ended.Token); // the headers go out at once, as a real server's do
            await foreach (var line in watcher.Lines.ReadAllAsync(ended.Token))
            {
                await context.Response.WriteAsync(line + "\n", ended.Token);
                await context.Response.Body.FlushAsync(ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's timeout passed or the client went away: the stream just ends.
        }
        finally
        {
            Cluster.Unwatch(watcher);
        }
    }

    /// <summary>
    /// 401 without a known bearer token; 403 unless the executor's RBAC (docs/vision-kubernetes.md) allows
    /// <paramref name="verb"/> on <paramref name="resource"/> there; then 404 for a namespace that does not exist.
    /// </summary>
    private void Authorize(HttpContext context, string verb, string resource, string group, string? ns, string? name = null)
    {
        var user = Authenticate(context);
        var path = context.Request.Path.Value ?? "";
        _calls.AddOrUpdate($"{(verb == "watch" ? "WATCH" : context.Request.Method)} {path}", 1, (_, n) => n + 1);
        var clusterWide = verb is "list" or "watch" && resource is "pods" or "jobs";
        var inJobNamespaces = ns is "default" or FakeCluster.FreeNamespace &&
            (resource == "jobs" && verb is "create" or "get" or "list" or "watch" || resource is "pods/log" or "pods" && verb is "get");
        var allowed = user == AdminUser || user == User && !_revoked && (clusterWide || inJobNamespaces);
        if (!allowed)
        {
            throw FakeStatus.Forbidden(user, verb, resource, group, ns, name);
        }

        if (ns is not null && !Cluster.NamespaceExists(ns) && verb != "list" && verb != "watch")
        {
            throw FakeStatus.NotFound("namespaces", ns);
        }
    }

    private static string Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header switch
        {
            "Bearer " + Token => User,
            "Bearer " + UnboundToken => UnboundUser,
            "Bearer " + AdminToken => AdminUser,
            _ => throw FakeStatus.Unauthorized(),
        };
    }

    private static async Task WriteJson(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
