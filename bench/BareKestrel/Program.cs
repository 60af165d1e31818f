// Baseline for bench/load/http-overhead.sh: no middleware, no routing, no logging; one fixed JSON answer for every request.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
var app = builder.Build();
var body = """{"status":"alive","version":"0.1.0"}"""u8.ToArray();
app.Run(context =>
{
    context.Response.ContentType = "application/json";
    return context.Response.Body.WriteAsync(body).AsTask();
});
app.Run();
