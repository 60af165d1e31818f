using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Quarry.Core.Hosting;

/// <summary>Server-rendered pages in the web UI's shell: stylesheet, top bar, one <c>main</c> element.</summary>
public static class HtmlPage
{
    /// <summary>An HTML result; <paramref name="title"/> and <paramref name="heading"/> are encoded, <paramref name="body"/> is HTML already.</summary>
    public static IResult Content(string title, string heading, string body, int status = StatusCodes.Status200OK) => Results.Content(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        $"<title>{Encode(title)} · Quarry</title><link rel=\"stylesheet\" href=\"/css/quarry.css\"><script src=\"/js/quarry.js\" defer></script></head>" +
        $"<body><header class=\"topbar\" id=\"topbar\"></header><main><h1>{Encode(heading)}</h1>{body}</main></body></html>",
        "text/html; charset=utf-8", Encoding.UTF8, status);

    /// <summary>Text made safe for HTML content and attribute values.</summary>
    public static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
