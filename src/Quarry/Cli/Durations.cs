using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Quarry.Cli;

/// <summary>Parses durations people type: <c>500ms</c>, <c>2s</c>, <c>1.5m</c>, <c>1h</c>, a bare number of seconds, or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    public static Option<TimeSpan?> Option(string name, string description, TimeSpan? defaultValue = null)
    {
        var option = new Option<TimeSpan?>(name)
        {
            Description = description,
            CustomParser = Parse,
        };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && double.IsFinite(amount))
        {
            value = TimeSpan.FromSeconds(amount * scale);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    private static TimeSpan? Parse(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(token, out var value))
        {
            return value;
        }

        result.AddError($"'{token}' is not a duration; use e.g. 500ms, 2s, 1m or hh:mm:ss.");
        return null;
    }
}
