namespace Quarry.Core.Artifacts;

/// <summary>A loaded model together with the publication it came from.</summary>
/// <param name="Model">The immutable in-memory model.</param>
/// <param name="Publication">The checkpoint it was published under.</param>
/// <param name="LoadedAt">When this process finished loading it.</param>
public sealed record LoadedModel<T>(T Model, Publication Publication, DateTimeOffset LoadedAt) where T : class;

/// <summary>
/// Holds the model being served. Readers take <see cref="Current"/> once per request and keep using that snapshot;
/// a new model replaces it with one reference write, so no reader ever sees a half-loaded model.
/// </summary>
public sealed class ModelSwap<T> where T : class
{
    private LoadedModel<T>? _current;

    /// <summary>The model to serve, or null before the first one is loaded.</summary>
    public LoadedModel<T>? Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="model"/> the one served from now on.</summary>
    public void Swap(LoadedModel<T> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Volatile.Write(ref _current, model);
    }
}
