using System.Text.Json;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>The instructions of the repository's Dockerfile, stage by stage, as far as the tests need them.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The last stage: what the image is.</summary>
    public Stage Runtime => Stages[^1];

    public Stage this[string name] => Stages.Single(s => s.Name == name);

    public static Dockerfile Load() => Parse(Repo.Text("Dockerfile"));

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        foreach (var line in LogicalLines(text))
        {
            var split = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (split < 0 ? line : line[..split]).ToUpperInvariant();
            var rest = split < 0 ? "" : line[(split + 1)..].Trim();
            if (keyword == "FROM")
            {
                var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(parts.Length >= 3 && parts[^2].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[^1] : $"stage{stages.Count}", parts[0]));
                continue;
            }

            if (stages.Count == 0)
            {
                continue; // ARG before the first FROM
            }

            stages[^1].Instructions.Add((keyword, rest));
        }

        return new Dockerfile(stages);
    }

    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') && current.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue; // a comment inside a continued instruction
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                yield return current.Trim();
            }

            current = "";
        }
    }

    /// <summary>One build stage.</summary>
    internal sealed record Stage(string Name, string From)
    {
        public List<(string Keyword, string Text)> Instructions { get; } = [];

        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Text);

        public string? Last(string keyword) => All(keyword).LastOrDefault();

        /// <summary>ENV variables (KEY=value form), later ones winning.</summary>
        public IReadOnlyDictionary<string, string> Environment =>
            All("ENV").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(pair => pair.Split('=', 2))
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);

        /// <summary>An exec-form (JSON array) instruction: ENTRYPOINT, CMD.</summary>
        public string[] Exec(string keyword) =>
            JsonSerializer.Deserialize<string[]>(Last(keyword) ?? throw new InvalidOperationException($"no {keyword} in stage {Name}"))!;

        /// <summary>The HEALTHCHECK's options and its exec-form command.</summary>
        public (IReadOnlyDictionary<string, string> Options, string[] Command) HealthCheck
        {
            get
            {
                var text = Last("HEALTHCHECK") ?? throw new InvalidOperationException("no HEALTHCHECK");
                var cmd = text.IndexOf("CMD ", StringComparison.Ordinal);
                var options = text[..cmd].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(o => o.TrimStart('-').Split('=', 2)).ToDictionary(o => o[0], o => o[1], StringComparer.Ordinal);
                return (options, JsonSerializer.Deserialize<string[]>(text[(cmd + 4)..])!);
            }
        }
    }
}
