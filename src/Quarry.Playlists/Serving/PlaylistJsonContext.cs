using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quarry.Playlists.Serving;

/// <summary>Source-generated JSON for the playlist responses, so each request serializes without reflection-built metadata.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PlaylistsApi.RecommendResponse))]
[JsonSerializable(typeof(PlaylistsApi.SongsResponse))]
internal sealed partial class PlaylistJsonContext : JsonSerializerContext;
