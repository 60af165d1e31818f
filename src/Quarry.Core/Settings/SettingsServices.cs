using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Core.Settings;

/// <summary>A settings type and the configuration section it is bound from.</summary>
/// <param name="Path">The section, e.g. <c>Quarry:Jobs</c>.</param>
/// <param name="Type">The settings type.</param>
/// <param name="Former">The section's name in earlier releases, if it was renamed: settings found there stop start-up.</param>
public sealed record SettingsSection(string Path, Type Type, string? Former = null);

/// <summary>
/// The one way settings are registered and checked: bound from their section, checked by their validator at start
/// (before any hosted service starts), and every failure reported as one line naming the setting.
/// </summary>
public static class SettingsServices
{
    /// <summary>Exit code of a process that stopped because of a bad setting.</summary>
    public const int BadSettingExitCode = 2;

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="section"/> and checks it with <typeparamref name="TValidator"/>
    /// at start. Safe to call more than once. When the section was renamed, <paramref name="former"/> names its old path,
    /// so that settings still given there stop start-up instead of being silently ignored.
    /// </summary>
    public static IServiceCollection AddSettings<TOptions, TValidator>(this IServiceCollection services, string section, string? former = null)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ImplementationInstance is SettingsSection s && s.Type == typeof(TOptions)))
        {
            return services;
        }

        services.AddSingleton(new SettingsSection(section, typeof(TOptions), former));
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>
    /// Before anything is built from <paramref name="services"/> (a binder failure there would surface as an exception of
    /// the framework's): throws when a configured value of a registered settings type does not convert to its type, or
    /// when a setting is given under a section's former name.
    /// </summary>
    /// <exception cref="BadSettingsException">A value is malformed or misplaced; one sentence per value.</exception>
    public static void CheckFormats(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var sections = services.Select(d => d.ImplementationInstance).OfType<SettingsSection>().ToList();
        var failures = sections.Where(s => s.Former is not null)
            .SelectMany(s => configuration.GetSection(s.Former!).AsEnumerable(makePathsRelative: true)
                .Where(pair => pair.Value is not null)
                .Select(pair => $"{SettingChecks.EnvironmentName(s.Former + ":" + pair.Key)} is no longer read: the section is now {SettingChecks.EnvironmentName(s.Path)} (rename it to {SettingChecks.EnvironmentName(s.Path + ":" + pair.Key)})"))
            .Concat(sections.SelectMany(s => SettingFormats.Check(configuration, s.Path, s.Type)))
            .ToList();
        if (failures.Count > 0)
        {
            throw new BadSettingsException(failures);
        }
    }

    /// <summary>
    /// Every bad setting the registered validators find, each one sentence (run after <see cref="CheckFormats"/>, before
    /// the host starts). Empty when all is well.
    /// </summary>
    public static IReadOnlyList<string> Failures(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var failures = new List<string>();

        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            failures.AddRange(e.Failures);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            failures.AddRange(e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures));
        }

        return failures;
    }

    /// <summary>Writes each failure as an <c>error:</c> line on standard error; returns <see cref="BadSettingExitCode"/>.</summary>
    public static int Report(IEnumerable<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"error: {failure.TrimEnd('.')}");
        }

        return BadSettingExitCode;
    }
}

/// <summary>Thrown where a process cannot start because of bad settings; carries every failure, one sentence each.</summary>
public sealed class BadSettingsException(IReadOnlyList<string> failures) : Exception(string.Join("; ", failures))
{
    /// <summary>One sentence per bad setting.</summary>
    public IReadOnlyList<string> Failures { get; } = failures;
}
