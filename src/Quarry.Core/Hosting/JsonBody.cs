using System.Buffers;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Quarry.Core.Hosting;

/// <summary>
/// A 200 JSON answer serialized in one go into a reused per-thread buffer with source-generated metadata, then sent with a
/// Content-Length: no reflection, no chunked framing and no asynchronous serializer for small hot-path bodies.
/// </summary>
public sealed class JsonBody<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    // Same escaping as ASP.NET Core's own JSON results, so bodies do not change.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Answers <paramref name="value"/> with the metadata in <paramref name="typeInfo"/> (from a JsonSerializerContext).</summary>
    public JsonBody(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        Value = value;
        _typeInfo = typeInfo;
    }

    /// <summary>The answered value.</summary>
    public T Value { get; }

    object? IValueHttpResult.Value => Value;

    /// <summary>Always 200.</summary>
    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary><c>application/json; charset=utf-8</c>.</summary>
    public string ContentType => JsonContentType;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, Value, _typeInfo);
        writer.Flush();

        var response = httpContext.Response;
        var body = buffer.WrittenSpan;
        response.StatusCode = StatusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        body.CopyTo(response.BodyWriter.GetSpan(body.Length));
        response.BodyWriter.Advance(body.Length);

        // Large bodies must not pin a large buffer to the thread.
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null;
            t_writer = null;
        }

        // Kestrel sends headers and body together when the request ends.
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}
