using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Quarry.Tests.Fuzz;

/// <summary>The odd values the fuzz puts in JSON fields, path segments and query strings.</summary>
internal static class FuzzValues
{
    public const int Megabyte = 1 << 20;

    /// <summary>JSON texts (kept verbatim when written back, so numbers beyond double and lone surrogates survive).</summary>
    public static readonly IReadOnlyList<string> Json =
    [
        "null", "true", "false", "0", "-1", "1.5", "-0", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809",
        "1e308", "-1e308", "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
        "\"\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e999\"", "\"-1\"", "\"0x10\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"",
        "\"ümlaut 日本 🎵 \\u202e\"", "\"<script>alert(1)</script>\"", "\"' OR 1=1 --\"", "\"../../etc/passwd\"",
        "[]", "{}", "[null]", "[[[[[[[[[[1]]]]]]]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "[\"NaN\",1e400,-1,null,{}]",
        "\"" + new string('x', Megabyte) + "\"",
        "[" + string.Join(',', Enumerable.Repeat("0", 100_000)) + "]",
        Nested('[', ']', 200),
    ];

    /// <summary>Path and query values given decoded: the fuzz percent-encodes them, so they reach the application as written.</summary>
    public static readonly IReadOnlyList<string> Decoded =
    [
        "", " ", "..", ".", "-1", "0", "2147483648", "-2147483649", "99999999999999999999999", "1e400", "NaN", "Infinity", "null",
        "\0", "ümlaut 日本 🎵", "\u202e", "<script>alert(1)</script>", "' OR 1=1 --", "a/b", "\\", "%zz", "../../etc/passwd",
        new string('a', 4000), string.Concat(Enumerable.Repeat("é", 300)),
    ];

    /// <summary>Path and query values sent as they are: percent-encoded garbage that is still a valid request target.</summary>
    public static readonly IReadOnlyList<string> Raw =
    [
        "..", "%2e%2e", "%2E%2E%2F%2E%2E%2Fetc", "%00", "%FF%FE", "%C0%AE", "%ED%A0%80", "%F4%90%80%80", "%25", "a%2Fb", "%u0041", ";x=1",
    ];

    /// <summary>Content types sent with a well-formed body.</summary>
    public static readonly IReadOnlyList<string> ContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "image/png",
        "application/json; charset=utf-16", "application/octet-stream", ";;;", "application/json; charset=\"",
    ];

    /// <summary>Bodies that are not JSON or not well-formed, whatever the operation.</summary>
    public static IEnumerable<(string Label, byte[] Body, string? ContentType)> Malformed()
    {
        yield return ("empty body", [], null);
        yield return ("empty JSON body", [], "application/json");
        foreach (var text in new[] { "hello", "{", "{\"a\":", "[1,2", "<xml/>", "{'code':'x'}", "{\"a\":1,}", "null", "true", "42", "\"s\"", "[]", "{}", "{}{}" })
        {
            yield return ("not an object: " + text, Encoding.UTF8.GetBytes(text), "application/json");
        }

        yield return ("invalid UTF-8", [0xFF, 0xFE, 0xFD], "application/json");
        yield return ("invalid UTF-8 in a string", [.. "{\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8], "application/json");
        yield return ("overlong UTF-8", [.. "{\"x\":\""u8, 0xC0, 0xAF, .. "\"}"u8], "application/json");
        yield return ("NUL bytes", new byte[64], "application/json");
        yield return ("deep arrays, unclosed", Encoding.ASCII.GetBytes(new string('[', 100_000)), "application/json");
        yield return ("deep arrays", Encoding.ASCII.GetBytes(Nested('[', ']', 5000)), "application/json");
        yield return ("deep objects", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5000)), "application/json");
        yield return ("1 MB string", Encoding.ASCII.GetBytes("\"" + new string('x', Megabyte) + "\""), "application/json");
        yield return ("1 MB random bytes", RandomBytes(new Random(1), Megabyte), "application/octet-stream");
        yield return ("form garbage", "%%%=&&=%zz&code"u8.ToArray(), "application/x-www-form-urlencoded");
        yield return ("form, 1 MB field", Encoding.ASCII.GetBytes("code=" + new string('x', Megabyte)), "application/x-www-form-urlencoded");
        yield return ("form, field twice", "code=print(1)&code=print(2)"u8.ToArray(), "application/x-www-form-urlencoded");
        yield return ("broken multipart", "--zz\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nprint(1)"u8.ToArray(), "multipart/form-data; boundary=zz");
        yield return ("broken PNG", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "image/png");
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A random JSON text up to <paramref name="depth"/> levels deep, mixing the odd values with small ones.</summary>
    public static string RandomJson(Random random, int depth, IReadOnlyList<string> keys)
    {
        switch (depth <= 0 ? random.Next(3) : random.Next(5))
        {
            case 0:
                return Json[random.Next(Json.Count - 3)]; // not the three large ones at the end
            case 1:
                return random.NextDouble() < 0.5
                    ? random.Next(int.MinValue, int.MaxValue).ToString(CultureInfo.InvariantCulture)
                    : ((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-10, 300))).ToString("R", CultureInfo.InvariantCulture);
            case 2:
                return JsonSerializer.Serialize(RandomText(random, random.Next(0, 40)));
            case 3:
                return "[" + string.Join(',', Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomJson(random, depth - 1, keys))) + "]";
            default:
                return "{" + string.Join(',', Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
                    JsonSerializer.Serialize(keys.Count > 0 && random.Next(2) == 0 ? keys[random.Next(keys.Count)] : RandomText(random, random.Next(1, 8)))
                    + ":" + RandomJson(random, depth - 1, keys))) + "}";
        }
    }

    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(4) switch
            {
                0 => (char)random.Next(0, 0x20),
                1 => (char)random.Next(0x20, 0x7F),
                2 => (char)random.Next(0xA0, 0xD800),
                _ => (char)random.Next(0xE000, 0xFFFE),
            });
        }

        return text.ToString();
    }

    private static string Nested(char open, char close, int depth) => new string(open, depth) + new string(close, depth);
}
