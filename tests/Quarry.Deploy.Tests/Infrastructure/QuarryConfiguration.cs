using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Core.Settings;

namespace Quarry.Deploy.Tests.Infrastructure;

/// <summary>
/// The environment variables Quarry reads, derived from the code rather than listed by hand: the options classes it
/// binds (every type with a <c>Section</c> constant, walked property by property), the configuration keys it reads
/// directly (constants like <c>Quarry:Services</c>), and the variables it reads with <c>GetEnvironmentVariable</c>.
/// </summary>
internal static partial class QuarryConfiguration
{
    /// <summary>Keys the classification service (issue #12, built on another branch) reads once it lands here, with its section.</summary>
    private static readonly (string Section, string Key)[] Pending =
    [
        ("Quarry:Vision", "Quarry:Vision:Executor"),
        ("Quarry:Vision", "Quarry:Vision:Kubernetes:Image"),
    ];

    private static readonly Lazy<IReadOnlyList<(string Section, Type Type)>> LazyOptions = new(FindOptions);
    private static readonly Lazy<HashSet<string>> LazyKeys = new(FindKeys);
    private static readonly Lazy<HashSet<string>> LazyVariables = new(FindVariables);

    /// <summary>Options types and the section each binds.</summary>
    public static IReadOnlyList<(string Section, Type Type)> Options => LazyOptions.Value;

    /// <summary>Configuration keys (<c>Section:Name</c>, case-insensitive as .NET configuration is).</summary>
    public static IReadOnlySet<string> Keys => LazyKeys.Value;

    /// <summary>Variables read by name from the process environment (case-sensitive).</summary>
    public static IReadOnlySet<string> Variables => LazyVariables.Value;

    /// <summary>True when Quarry reads the variable <paramref name="name"/>.</summary>
    public static bool Reads(string name) => Variables.Contains(name) || Keys.Contains(name.Replace("__", ":", StringComparison.Ordinal));

    /// <summary>
    /// Checks <paramref name="environment"/> with Quarry's own settings checks, as <c>quarry serve</c> does at start with
    /// every service registered, and returns what would stop it: values that do not convert (a duration written "10s"),
    /// out-of-range values, a backend named without its address.
    /// </summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string?> environment)
    {
        var values = environment.Where(kv => kv.Value is not null && kv.Key.Contains("__", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value);
        // The data dir is checked by creating it: point it somewhere harmless unless the manifest's value is under test.
        values["Quarry:DataDir"] = Path.Combine(Path.GetTempPath(), "quarry-deploy-settings");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        foreach (var (_, add, _) in QuarryApp.Services)
        {
            add(services);
        }

        try
        {
            SettingsServices.CheckFormats(services, configuration);
        }
        catch (BadSettingsException e)
        {
            return e.Failures;
        }

        using var provider = services.BuildServiceProvider();
        return SettingsServices.Failures(provider);
    }

    private static IEnumerable<Assembly> QuarryAssemblies()
    {
        var main = typeof(QuarryApp).Assembly;
        return new[] { main }.Concat(main.GetReferencedAssemblies()
            .Where(a => a.Name is { } n && n.StartsWith("Quarry.", StringComparison.Ordinal))
            .Select(Assembly.Load));
    }

    private static List<(string, Type)> FindOptions() =>
        [.. QuarryAssemblies().SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string) && x.Type.IsClass && !x.Type.IsAbstract)
            .Select(x => ((string)x.Field!.GetRawConstantValue()!, x.Type))];

    private static HashSet<string> FindKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, type) in Options)
        {
            AddProperties(keys, section, type, depth: 0);
        }

        // Keys read directly rather than through an options class: constants whose value sits in a known section.
        var sections = Options.Select(o => o.Section).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var field in QuarryAssemblies().SelectMany(a => a.GetTypes())
                     .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
                     .Where(f => f.IsLiteral && f.FieldType == typeof(string)))
        {
            var value = (string)field.GetRawConstantValue()!;
            var cut = value.LastIndexOf(':');
            if (cut > 0 && sections.Contains(value[..cut]) && KeyName().IsMatch(value[(cut + 1)..]))
            {
                keys.Add(value);
            }
        }

        // A pending key counts only while no options class binds its section; from then on the class decides.
        foreach (var (section, key) in Pending)
        {
            if (!sections.Contains(section))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static void AddProperties(HashSet<string> keys, string prefix, Type type, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            var leaf = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (leaf.IsPrimitive || leaf.IsEnum || leaf == typeof(string) || leaf == typeof(TimeSpan) || leaf == typeof(Uri) || leaf == typeof(decimal) || depth > 3)
            {
                keys.Add(key);
            }
            else
            {
                AddProperties(keys, key, leaf, depth + 1);
            }
        }
    }

    /// <summary>Variables read with <c>GetEnvironmentVariable</c> or passed to <c>CliHost.DataDir</c>, found in src/.</summary>
    private static HashSet<string> FindVariables()
    {
        var files = System.IO.Directory.EnumerateFiles(Repo.Path("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(File.ReadAllText).ToList();
        var constants = files.SelectMany(text => StringConstant().Matches(text))
            .GroupBy(m => m.Groups["name"].Value).ToDictionary(g => g.Key, g => g.First().Groups["value"].Value);
        var variables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arguments in files.SelectMany(text => Arguments(text, "GetEnvironmentVariable(").Concat(Arguments(text, "DataDir("))))
        {
            foreach (Match literal in VariableLiteral().Matches(arguments))
            {
                variables.Add(literal.Groups[1].Value);
            }

            foreach (Match reference in ConstantReference().Matches(arguments))
            {
                if (constants.TryGetValue(reference.Groups[1].Value, out var value) && VariableLiteral().IsMatch($"\"{value}\""))
                {
                    variables.Add(value);
                }
            }
        }

        // The host reads ASPNETCORE_-prefixed variables into its configuration; Quarry reads the "urls" key from it.
        foreach (var text in files)
        {
            foreach (Match hostKey in HostKey().Matches(text))
            {
                variables.Add("ASPNETCORE_" + hostKey.Groups[1].Value.ToUpperInvariant());
            }
        }

        return variables;
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex KeyName();

    [GeneratedRegex(@"const string (?<name>\w+) = ""(?<value>[^""]*)""")]
    private static partial Regex StringConstant();

    /// <summary>The argument text of every call to <paramref name="call"/> (up to its closing parenthesis).</summary>
    private static IEnumerable<string> Arguments(string text, string call)
    {
        for (var at = text.IndexOf(call, StringComparison.Ordinal); at >= 0; at = text.IndexOf(call, at + 1, StringComparison.Ordinal))
        {
            var start = at + call.Length;
            var depth = 1;
            var end = start;
            while (end < text.Length && depth > 0)
            {
                depth += text[end] switch { '(' => 1, ')' => -1, _ => 0 };
                end++;
            }

            yield return text[start..Math.Max(start, end - 1)];
        }
    }

    [GeneratedRegex(@"""([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)""")]
    private static partial Regex VariableLiteral();

    [GeneratedRegex(@"\b(?:\w+\.)*([A-Z]\w*Variable)\b")]
    private static partial Regex ConstantReference();

    [GeneratedRegex(@"Configuration\[""([a-z]+)""\]")]
    private static partial Regex HostKey();
}
