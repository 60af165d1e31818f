using System.Buffers;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Quarry.Core.Hosting;

/// <summary>Reads a whole request body, whatever its content type, within the server's size limit.</summary>
public static class RequestBody
{
    /// <summary>The body's bytes; an over-limit body surfaces as Kestrel's 413 through the problem handler.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            // Consume nothing yet: keep buffering until the whole body has arrived.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>
    /// Null when <paramref name="body"/> is valid UTF-8, else a message for a 400. JSON must be UTF-8, and the JSON reader
    /// checks string contents only when they are read, so endpoints check the whole body first.
    /// </summary>
    public static string? Utf8Problem(ReadOnlySpan<byte> body) => Utf8.IsValid(body) ? null : "The body is not valid UTF-8 text.";
}
