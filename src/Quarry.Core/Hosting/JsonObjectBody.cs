using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Quarry.Core.Hosting;

/// <summary>
/// Reads a request body of any content type as one JSON object: within the server's size limit, valid UTF-8, at most
/// <see cref="MaxDepth"/> levels deep. A problem is returned as the message for a 400, never thrown.
/// </summary>
public static class JsonObjectBody
{
    /// <summary>Deepest nesting accepted.</summary>
    public const int MaxDepth = 16;

    /// <summary>
    /// The parsed object (the caller disposes it), or null and why not. <paramref name="expected"/> describes the body a
    /// client should send, for the message when it sent none.
    /// </summary>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadObjectAsync(HttpRequest request, string expected, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        if (body.IsEmpty)
        {
            return (null, $"A JSON body is required: {expected}.");
        }

        if (RequestBody.Utf8Problem(body.Span) is { } utf8)
        {
            return (null, utf8);
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
            document.Dispose();
            return (null, $"The body must be a JSON object: {expected}.");
        }

        if (JsonStrings.LoneSurrogateProblem(document.RootElement) is { } text)
        {
            document.Dispose();
            return (null, text);
        }

        return (document, null);
    }
}
