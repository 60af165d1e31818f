using Microsoft.Extensions.DependencyInjection;

namespace Quarry.Core.Hosting;

/// <summary>A page of the web UI that a capability contributes to the home page and navigation.</summary>
/// <param name="Title">Link text.</param>
/// <param name="Path">Site-relative address of the page.</param>
/// <param name="Description">One line shown on the home page.</param>
/// <param name="Order">Position in the navigation, lowest first.</param>
public sealed record UiLink(string Title, string Path, string Description, int Order = 100);

/// <summary>Registers UI links.</summary>
public static class UiLinkServices
{
    /// <summary>Adds <paramref name="link"/> unless a link to the same page is already registered.</summary>
    public static IServiceCollection AddUiLink(this IServiceCollection services, UiLink link)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(link);
        if (!services.Any(d => d.ImplementationInstance is UiLink existing && existing.Path == link.Path))
        {
            services.AddSingleton(link);
        }

        return services;
    }
}
