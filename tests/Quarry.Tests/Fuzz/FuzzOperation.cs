using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quarry.Tests.Fuzz;

/// <summary>One operation of the OpenAPI document, with a valid request to mutate when it takes a body.</summary>
internal sealed record FuzzOperation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters)
{
    // The request bodies the document does not describe (handlers read them whatever the content type).
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["POST /api/predict/diabetes"] = """{"rows":[[6,148,72,35,0,33.6,0.627,50]]}""",
        ["POST /py/eval"] = """{"code":"print(1)"}""",
        ["POST /python"] = """{"code":"print(1)"}""",
        ["POST /api/vision/predict"] = """{"pixels":[""" + string.Join(',', new int[784]) + "]}",
        ["POST /api/movies/recommend"] = """{"liked":[1,2],"limit":5}""",
        ["POST /api/recommend"] = """{"songs":["song-1"],"limit":5}""",
        ["POST /jobs"] = """{"start":1,"end":10}""",
        ["POST /img-classification/free"] = """{"dataset":"mnist"}""",
        ["POST /img-classification/premium"] = """{"dataset":"mnist"}""",
    };

    /// <summary>Operations whose valid request starts a training run: the fuzz never sends them one, only broken variants.</summary>
    private static readonly HashSet<string> Heavy = new(StringComparer.Ordinal) { "POST /img-classification/free", "POST /img-classification/premium" };

    public string Key => $"{Method} {Path}";

    /// <summary>A valid body to mutate, or null when the operation reads none.</summary>
    public JsonNode? Example => Examples.TryGetValue(Key, out var json) ? JsonNode.Parse(json) : null;

    /// <summary>True when a well-formed request must never be sent (it would start heavy work).</summary>
    public bool IsHeavy => Heavy.Contains(Key);

    public bool TakesBody => Method is "POST" or "PUT" or "DELETE";

    /// <summary>Every operation of an OpenAPI 3 document.</summary>
    public static IReadOnlyList<FuzzOperation> Read(JsonElement document)
    {
        var operations = new List<FuzzOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToArray() : [];
                operations.Add(new FuzzOperation(
                    operation.Name.ToUpperInvariant(),
                    path.Name,
                    [.. parameters.Where(x => x.GetProperty("in").GetString() == "path").Select(x => x.GetProperty("name").GetString()!)],
                    [.. parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!)]));
            }
        }

        return operations;
    }
}
