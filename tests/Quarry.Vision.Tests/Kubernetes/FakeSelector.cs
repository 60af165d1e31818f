using System.Text.Json.Nodes;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>A label selector as the API server parses it from <c>?labelSelector=</c>: equality, inequality and existence terms.</summary>
internal sealed class FakeSelector
{
    private readonly List<(string Key, string? Value, bool Negated)> _terms = [];

    public FakeSelector(string? selector)
    {
        foreach (var raw in (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Contains("!=", StringComparison.Ordinal))
            {
                var parts = raw.Split("!=", 2);
                _terms.Add((parts[0].Trim(), parts[1].Trim(), true));
            }
            else if (raw.Contains('='))
            {
                var parts = raw.Split('=', 2, StringSplitOptions.TrimEntries);
                _terms.Add((parts[0], parts[1].TrimStart('=').Trim(), false));
            }
            else if (raw.StartsWith('!'))
            {
                _terms.Add((raw[1..].Trim(), null, true));
            }
            else
            {
                _terms.Add((raw, null, false));
            }
        }
    }

    public bool Matches(JsonObject item)
    {
        var labels = item["metadata"]?["labels"] as JsonObject;
        foreach (var (key, value, negated) in _terms)
        {
            var actual = labels?[key]?.GetValue<string>();
            var holds = value is null ? actual is not null : actual == value;
            if (holds == negated)
            {
                return false;
            }
        }

        return true;
    }
}
