namespace Quarry.Core.Artifacts;

/// <summary>Reads one kind of artifact into an immutable in-memory model, rejecting damaged files.</summary>
public interface IArtifactLoader<T> where T : class
{
    /// <summary>Short name used in logs and readiness (e.g. <c>playlists</c>).</summary>
    string Name { get; }

    /// <summary>The folder the artifacts are published in.</summary>
    ArtifactDirectory Directory { get; }

    /// <summary>Loads and validates the artifact; throws <see cref="InvalidDataException"/> when it is damaged.</summary>
    T Load(string path, CancellationToken cancellationToken);
}
