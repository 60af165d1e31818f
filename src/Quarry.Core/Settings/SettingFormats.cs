using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Quarry.Core.Settings;

/// <summary>
/// Checks, before anything binds them, that the configured values of a settings type convert to their properties'
/// types, so a malformed value ("abc" for a time span, "maybe" for a flag, an unknown name for a choice) is reported as
/// one sentence naming the setting instead of the binder's exception.
/// </summary>
internal static class SettingFormats
{
    public static IEnumerable<string> Check(IConfiguration configuration, string section, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var path = $"{section}:{property.Name}";
            var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(target))
            {
                var value = configuration[path];
                if (value is not null && !Converts(target, value))
                {
                    yield return $"{SettingChecks.EnvironmentName(path)} must be {Describe(target)} (was '{value}')";
                }

                continue;
            }

            foreach (var failure in Check(configuration, path, target))
            {
                yield return failure;
            }
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri);

    private static bool Converts(Type type, string value)
    {
        if (value.Length == 0 && type != typeof(string))
        {
            return true; // an empty value leaves the default, as the binder does
        }

        if (type.IsEnum)
        {
            return Enum.GetNames(type).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())),
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a time span such as 00:00:30",
        _ when type == typeof(Uri) => "a URL",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ => "a whole number",
    };
}
