using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Quarry.Core.Datasets;

/// <summary>Registers the dataset fetcher with its own long-lived HTTP client.</summary>
public static class DatasetServices
{
    /// <summary>Adds <see cref="DatasetFetcher"/> once.</summary>
    public static IServiceCollection AddDatasetFetcher(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new DatasetFetcher(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetService<ILogger<DatasetFetcher>>()));
        return services;
    }
}
