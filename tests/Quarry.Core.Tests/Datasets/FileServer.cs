using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Quarry.Core.Tests.Datasets;

/// <summary>A real Kestrel server on 127.0.0.1 serving one file in several behaviours, recording every request.</summary>
internal sealed class FileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _flakyCalls;
    private int _busyCalls;

    private FileServer(WebApplication app, byte[] content)
    {
        _app = app;
        Content = content;
    }

    public byte[] Content { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<Served> Requests { get; } = new();

    /// <summary>How many bytes the first request to /flaky/ sends before the connection is dropped.</summary>
    public int DropAfter { get; init; }

    public static async Task<FileServer> StartAsync(byte[] content, int dropAfter = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FileServer(app, content) { DropAfter = dropAfter };
        server.Map();
        await app.StartAsync(TestContext.Current.CancellationToken);
        server.BaseAddress = new Uri(app.Urls.Single());
        return server;
    }

    public Uri At(string path) => new(BaseAddress, path);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
    }

    private void Map()
    {
        // Recorded as the headers go out, so a client that has its response always finds it here.
        _app.Use((context, next) =>
        {
            var range = context.Request.Headers.Range.ToString();
            context.Response.OnStarting(() =>
            {
                Requests.Enqueue(new Served(context.Request.Path, range.Length == 0 ? null : range, context.Response.StatusCode, context.Response.ContentLength));
                return Task.CompletedTask;
            });
            return next(context);
        });

        _app.MapGet("/files/{name}", () => Results.File(Content, "text/csv", enableRangeProcessing: true));
        _app.MapGet("/norange/{name}", () => Results.File(Content, "text/csv", enableRangeProcessing: false));
        _app.MapGet("/busy/{name}", () => Interlocked.Increment(ref _busyCalls) == 1
            ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
            : Results.File(Content, "text/csv", enableRangeProcessing: true));
        _app.MapGet("/flaky/{name}", async context =>
        {
            if (Interlocked.Increment(ref _flakyCalls) > 1)
            {
                await Results.File(Content, "text/csv", enableRangeProcessing: true).ExecuteAsync(context);
                return;
            }

            // Promise the whole file, send part of it, then drop the connection.
            context.Response.ContentLength = Content.Length;
            await context.Response.Body.WriteAsync(Content.AsMemory(0, DropAfter), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        });
    }

    /// <summary>One request as the server saw it.</summary>
    internal sealed record Served(string Path, string? Range, int Status, long? ContentLength);
}
