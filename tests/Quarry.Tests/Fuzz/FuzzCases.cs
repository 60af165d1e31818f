using System.Text;
using System.Text.Json.Nodes;

namespace Quarry.Tests.Fuzz;

/// <summary>One request of the fuzz: a request target (path and query, sent as written) and an optional body.</summary>
internal sealed record FuzzCase(FuzzOperation Operation, string Target, byte[]? Body, string? ContentType, string Label);

/// <summary>Builds the fixed cases of every operation and seeded random ones.</summary>
internal static class FuzzCases
{
    private const string Placeholder = "@@fuzz-value@@";

    /// <summary>Every fixed case of <paramref name="operation"/>: odd path and query values, malformed bodies, mutated fields.</summary>
    public static IEnumerable<FuzzCase> Fixed(FuzzOperation operation)
    {
        var body = Template(operation);
        if (!operation.IsHeavy)
        {
            yield return Case(operation, Target(operation), body, "well-formed");
        }

        foreach (var name in operation.PathParameters)
        {
            foreach (var (label, segment) in OddValues())
            {
                yield return Case(operation, Target(operation, (name, segment)), body, $"path {name}={label}");
            }
        }

        foreach (var name in operation.QueryParameters)
        {
            foreach (var (label, value) in OddValues())
            {
                yield return Case(operation, Target(operation) + $"?{name}={value}", body, $"query {name}={label}");
            }

            yield return Case(operation, Target(operation) + $"?{name}=1&{name}=2", body, $"query {name} twice");
            yield return Case(operation, Target(operation) + $"?{name}", body, $"query {name} without a value");
        }

        yield return Case(operation, Target(operation) + "?%ZZ=%25&&&==&a[b]=1&x=" + new string('q', 4000), body, "junk query");
        if (!operation.TakesBody)
        {
            yield break;
        }

        foreach (var (label, bytes, contentType) in FuzzValues.Malformed())
        {
            yield return new FuzzCase(operation, Target(operation), bytes, contentType, label);
        }

        if (body is null)
        {
            yield break;
        }

        foreach (var contentType in FuzzValues.ContentTypes)
        {
            yield return new FuzzCase(operation, Target(operation), body, contentType, "content type " + contentType);
        }

        yield return Case(operation, Target(operation), [0xEF, 0xBB, 0xBF, .. body], "UTF-8 byte order mark");
        yield return Case(operation, Target(operation), Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(body)), "UTF-16 body");
        var example = JsonNode.Parse(body)!;
        foreach (var path in Paths(example, []))
        {
            var where = string.Join('.', path);
            yield return Case(operation, Target(operation), Mutate(example, path, null), $"{where} missing");
            foreach (var value in FuzzValues.Json)
            {
                yield return Case(operation, Target(operation), Mutate(example, path, value), $"{where}={Short(value)}");
            }
        }

        if (!operation.IsHeavy)
        {
            var text = Encoding.UTF8.GetString(body);
            var first = text[..text.IndexOf(':', StringComparison.Ordinal)];
            yield return Case(operation, Target(operation), Encoding.UTF8.GetBytes(text[..^1] + "," + first + ":5}"), "a field twice");
        }

        foreach (var extra in new[] { "\"zzz\":[1e400]", "\"zzz\":[\"\\ud800\"]", "\"\\udc00\":1" })
        {
            yield return Case(operation, Target(operation), Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body)[..^1] + "," + extra + "}"), "extra field " + extra);
        }
    }

    /// <summary>A seeded random case: random bytes, random JSON, a field set to a random value, flipped bytes or odd path and query values.</summary>
    public static FuzzCase Random(FuzzOperation operation, Random random)
    {
        var body = Template(operation);
        var example = body is null ? null : JsonNode.Parse(body);
        switch (operation.TakesBody ? random.Next(5) : 4)
        {
            case 0:
                var contentType = random.Next(3) == 0 ? FuzzValues.ContentTypes[random.Next(FuzzValues.ContentTypes.Count)] : "application/json";
                return new FuzzCase(operation, Target(operation), FuzzValues.RandomBytes(random, random.Next(0, 4096)), contentType, "random bytes");
            case 1:
                var keys = example is JsonObject o ? o.Select(p => p.Key).ToArray() : [];
                return Case(operation, Target(operation), Encoding.UTF8.GetBytes(FuzzValues.RandomJson(random, 6, keys)), "random JSON");
            case 2 when example is not null:
                var paths = Paths(example, []).ToArray();
                var path = paths[random.Next(paths.Length)];
                var value = FuzzValues.RandomJson(random, 4, []);
                return Case(operation, Target(operation), Mutate(example, path, value), $"{string.Join('.', path)}=random");
            case 3 when body is not null:
                var flipped = body.ToArray();
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    var at = random.Next(flipped.Length);
                    flipped[at] = (byte)((flipped[at] + random.Next(1, 256)) % 256);
                }

                return Case(operation, Target(operation), flipped, "flipped bytes");
            default:
                var odd = OddValues().ToArray();
                var pathValues = operation.PathParameters.Select(name => (name, odd[random.Next(odd.Length)].Value)).ToArray();
                var query = string.Join('&', operation.QueryParameters.Where(_ => random.Next(2) == 0).Select(name => name + "=" + odd[random.Next(odd.Length)].Value));
                return Case(operation, Target(operation, pathValues) + (query.Length > 0 ? "?" + query : ""), body, "random path and query");
        }
    }

    /// <summary>The body to send with odd paths and to mutate: the operation's example, broken on purpose for heavy operations.</summary>
    private static byte[]? Template(FuzzOperation operation)
    {
        if (operation.Example is not JsonObject example)
        {
            return null;
        }

        if (operation.IsHeavy)
        {
            example[example.First().Key] = 5;
        }

        return Encoding.UTF8.GetBytes(example.ToJsonString());
    }

    private static FuzzCase Case(FuzzOperation operation, string target, byte[]? body, string label) =>
        new(operation, target, body, body is null ? null : "application/json", label);

    private static IEnumerable<(string Label, string Value)> OddValues() =>
        FuzzValues.Decoded.Select(v => (Short(v), Uri.EscapeDataString(v))).Concat(FuzzValues.Raw.Select(v => ("raw " + v, v)));

    private static string Target(FuzzOperation operation, params (string Name, string Segment)[] values)
    {
        var path = operation.Path;
        foreach (var name in operation.PathParameters)
        {
            var given = values.FirstOrDefault(v => v.Name == name).Segment;
            path = path.Replace("{" + name + "}", given ?? DefaultSegment(operation, name), StringComparison.Ordinal);
        }

        return path;
    }

    private static string DefaultSegment(FuzzOperation operation, string name) => name switch
    {
        "user" => "fuzz-user",
        "id" when operation.Path.StartsWith("/jobs", StringComparison.Ordinal) => "00000000-0000-0000-0000-000000000001",
        _ => "1",
    };

    /// <summary>Every field of an object and the first element of every array, as property names and indexes.</summary>
    private static IEnumerable<object[]> Paths(JsonNode? node, object[] prefix)
    {
        var children = node switch
        {
            JsonObject obj => obj.Select(p => ((object)p.Key, p.Value)).ToArray(),
            JsonArray { Count: > 0 } array => [((object)0, array[0])],
            _ => [],
        };
        foreach (var (step, child) in children)
        {
            object[] path = [.. prefix, step];
            yield return path;
            foreach (var deeper in Paths(child, path))
            {
                yield return deeper;
            }
        }
    }

    /// <summary>The example with the field at <paramref name="path"/> removed (null) or replaced by the JSON text <paramref name="json"/>.</summary>
    private static byte[] Mutate(JsonNode example, object[] path, string? json)
    {
        var copy = example.DeepClone();
        var parent = copy;
        foreach (var step in path[..^1])
        {
            parent = step is string name ? parent[name]! : parent[(int)step]!;
        }

        switch (path[^1], parent)
        {
            case (string name, JsonObject obj) when json is null:
                obj.Remove(name);
                break;
            case (string name, JsonObject obj):
                obj[name] = Placeholder;
                break;
            case (int index, JsonArray array) when json is null:
                array.RemoveAt(index);
                break;
            case (int index, JsonArray array):
                array[index] = Placeholder;
                break;
        }

        // Spliced in as text, so values no JSON library would write (1e400, lone surrogates) reach the server verbatim.
        return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace($"\"{Placeholder}\"", json, StringComparison.Ordinal));
    }

    private static string Short(string value) => value.Length <= 24 ? value : $"{value[..12]}…({value.Length} chars)";
}
