using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Routing;

namespace Quarry.Core.Hosting;

/// <summary>Lets a capability map the routes of another it depends on without mapping them twice.</summary>
public static class MapOnceExtensions
{
    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, HashSet<string>> Mapped = [];

    /// <summary>Runs <paramref name="map"/> unless a group of routes named <paramref name="name"/> was already mapped on <paramref name="endpoints"/>.</summary>
    public static IEndpointRouteBuilder MapOnce(this IEndpointRouteBuilder endpoints, string name, Action<IEndpointRouteBuilder> map)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(map);
        var names = Mapped.GetValue(endpoints, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (names)
        {
            if (!names.Add(name))
            {
                return endpoints;
            }
        }

        map(endpoints);
        return endpoints;
    }
}
