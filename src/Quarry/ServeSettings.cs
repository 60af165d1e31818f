namespace Quarry;

/// <summary>What the command line says about the server; anything unset falls back to configuration.</summary>
/// <param name="Urls">Listen addresses, or null for <c>ASPNETCORE_URLS</c> / the default.</param>
/// <param name="DataDir">Data directory, or null for <c>QUARRY_DATA_DIR</c> / <c>Quarry__DataDir</c> / the default.</param>
public sealed record ServeSettings(string? Urls = null, string? DataDir = null);
