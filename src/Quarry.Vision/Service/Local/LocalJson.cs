using System.Text.Json.Serialization;
using Quarry.Vision.Training;

namespace Quarry.Vision.Service.Local;

/// <summary>Source-generated JSON for the local executor's job payloads and the files its jobs write.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClassifyPayload))]
[JsonSerializable(typeof(ClassifyResult))]
[JsonSerializable(typeof(ClassifyProgress))]
internal sealed partial class LocalJson : JsonSerializerContext;
