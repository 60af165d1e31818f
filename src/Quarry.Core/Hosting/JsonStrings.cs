using System.Text.Json;

namespace Quarry.Core.Hosting;

/// <summary>Finds strings that JSON can escape but .NET cannot hold: lone UTF-16 surrogates such as <c>"\ud800"</c>.</summary>
public static class JsonStrings
{
    /// <summary>
    /// Null when every string and property name in <paramref name="element"/> can be read, else a message for a 400.
    /// A body kept as given (a job's payload) must pass, or every later attempt to write it back fails.
    /// </summary>
    public static string? LoneSurrogateProblem(JsonElement element) =>
        Readable(element) ? null : "The body holds a string that is not valid Unicode text (it escapes a lone surrogate).";

    private static bool Readable(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!Readable(item))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name; // throws for a name escaping a lone surrogate
                        if (!Readable(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
