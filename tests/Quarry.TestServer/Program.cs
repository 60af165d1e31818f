using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quarry;

// Usage: Quarry.TestServer URLS DATA_DIR
var app = QuarryApp.Build(new ServeSettings(args[0], args[1]), map: app =>
    app.MapGet("/test/slow", async (int ms) =>
    {
        Console.WriteLine("slow request started");
        await Task.Delay(ms);
        return TypedResults.Text($"slept {ms} ms");
    }));
await app.RunAsync();
