using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Quarry.Core.Hosting;

/// <summary>
/// The one way an endpoint reads a JSON request body, of any content type: within the server's size limit (Kestrel
/// answers 413 beyond it), present, valid UTF-8, at most <see cref="MaxDepth"/> levels deep and, for
/// <see cref="ReadObjectAsync"/>, an object. A problem is returned as the message for a 400, never thrown.
/// </summary>
public static class JsonRequest
{
    /// <summary>Deepest nesting accepted in any request body.</summary>
    public const int MaxDepth = 16;

    /// <summary>Options for a <see cref="Utf8JsonReader"/> over a body that passed <see cref="OpeningProblem"/>.</summary>
    public static JsonReaderOptions ReaderOptions => new() { MaxDepth = MaxDepth };

    /// <summary>
    /// The parsed object (the caller disposes it), or null and why not. <paramref name="expected"/> describes the body a
    /// client should send, e.g. <c>{"code": "..."}</c>, for the message when it sent something else.
    /// </summary>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadObjectAsync(HttpRequest request, string expected, CancellationToken cancellationToken) =>
        ParseObject(await RequestBody.ReadAsync(request, cancellationToken), expected);

    /// <summary>As <see cref="ReadObjectAsync"/>, for a body already read.</summary>
    public static (JsonDocument? Document, string? Problem) ParseObject(ReadOnlyMemory<byte> body, string expected)
    {
        if (OpeningProblem(body.Span, expected) is { } problem)
        {
            return (null, problem);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            return (null, $"The body is not valid JSON: {e.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            return (null, $"The body must be a JSON object {expected}, not {Describe(kind)}.");
        }

        // Bodies are stored and written back (job payloads, listings): a string no JSON writer can write would break them.
        if (JsonStrings.LoneSurrogateProblem(document.RootElement) is { } text)
        {
            document.Dispose();
            return (null, text);
        }

        return (document, null);
    }

    /// <summary>
    /// What is wrong before parsing (no body, or not UTF-8: the JSON reader checks strings only when they are read), or
    /// null; for endpoints that parse with a <see cref="Utf8JsonReader"/> on a hot path.
    /// </summary>
    public static string? OpeningProblem(ReadOnlySpan<byte> body, string expected)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return $"A JSON body is required: {expected}.";
        }

        return RequestBody.Utf8Problem(body);
    }

    /// <summary>A JSON value kind as a message names it.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };
}
