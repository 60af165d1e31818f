using System.Collections.Frozen;

namespace Quarry.Jobs.Handlers;

/// <summary>The registered handlers, by job type.</summary>
public sealed class JobHandlers
{
    private readonly FrozenDictionary<string, IJobHandler> _byType;

    /// <summary>Indexes the handlers; two handlers for one type is a configuration error.</summary>
    public JobHandlers(IEnumerable<IJobHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        var byType = new Dictionary<string, IJobHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            if (!byType.TryAdd(handler.Type, handler))
            {
                throw new InvalidOperationException($"Two handlers are registered for job type '{handler.Type}'.");
            }
        }

        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The known types, sorted.</summary>
    public IReadOnlyList<string> Types => [.. _byType.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The handler for <paramref name="type"/>, if any.</summary>
    public bool TryGet(string type, out IJobHandler handler) => _byType.TryGetValue(type, out handler!);
}
