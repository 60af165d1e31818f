using System.Globalization;
using Microsoft.Extensions.Options;

namespace Quarry.Core.Settings;

/// <summary>
/// Collects what is wrong with one settings object, each failure one sentence that names the setting as a user writes it
/// in the environment (<c>Quarry__Jobs__LeaseDuration</c>), its valid range and the value given.
/// </summary>
public sealed class SettingChecks
{
    /// <summary>Shortest interval at which a model checkpoint may be polled.</summary>
    public static readonly TimeSpan ShortestPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest interval at which a model checkpoint may be polled.</summary>
    public static readonly TimeSpan LongestPoll = TimeSpan.FromHours(1);

    private readonly string _prefix;
    private readonly List<string> _failures = [];

    /// <param name="section">The configuration section the settings are bound from, e.g. <c>Quarry:Jobs</c>.</param>
    public SettingChecks(string section)
    {
        ArgumentNullException.ThrowIfNull(section);
        _prefix = section.Length == 0 ? "" : EnvironmentName(section) + "__";
    }

    /// <summary>The failures so far as an options validation result.</summary>
    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    /// <summary>A configuration path (<c>Quarry:Jobs:Backend</c>) as an environment variable name (<c>Quarry__Jobs__Backend</c>).</summary>
    public static string EnvironmentName(string path) => path.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The full name of <paramref name="setting"/> (a path below the section, <c>Limits:Wall</c> or <c>Limits__Wall</c>).</summary>
    public string Name(string setting) => _prefix + EnvironmentName(setting);

    /// <summary>Records <paramref name="sentence"/> (which should begin with the setting's <see cref="Name"/>).</summary>
    public void Fail(string sentence) => _failures.Add(sentence);

    /// <summary>The value must lie in [min, max].</summary>
    public void Range(string setting, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            Fail($"{Name(setting)} must be from {Text(min)} to {Text(max)} (was {Text(value)})");
        }
    }

    /// <summary>The value must lie in [min, max].</summary>
    public void Range(string setting, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
        {
            Fail($"{Name(setting)} must be from {Text(min)} to {Text(max)} (was {Text(value)})");
        }
    }

    /// <summary>The time span must lie in [min, max].</summary>
    public void Range(string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            Fail($"{Name(setting)} must be from {Text(min)} to {Text(max)} (was {Text(value)})");
        }
    }

    /// <summary>The value must be set; <paramref name="example"/> shows what a good one looks like.</summary>
    public bool Required(string setting, string? value, string example)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail($"{Name(setting)} must be set, e.g. {example} (was empty)");
            return false;
        }

        return true;
    }

    /// <summary>When set, the value must be an absolute URL with one of <paramref name="schemes"/>.</summary>
    public void Url(string setting, string? value, params string[] schemes)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            Fail($"{Name(setting)} must be an absolute {string.Join(" or ", schemes.Select(s => s + "://"))} URL (was '{value}')");
        }
    }

    /// <summary>When set, the value must name an existing file.</summary>
    public void ExistingFile(string setting, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && !File.Exists(value))
        {
            Fail($"{Name(setting)} must name an existing file (was '{value}')");
        }
    }

    /// <summary>When set, the value must name an existing folder.</summary>
    public void ExistingFolder(string setting, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && !Directory.Exists(value))
        {
            Fail($"{Name(setting)} must name an existing folder (was '{value}')");
        }
    }

    /// <summary>A value as the configuration would spell it.</summary>
    internal static string Text(object value) => value switch
    {
        TimeSpan t when t.Ticks % TimeSpan.TicksPerSecond != 0 => t.ToString("c", CultureInfo.InvariantCulture).TrimEnd('0'),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
