using System.Text.Json.Serialization;

namespace Quarry.Vision.Training;

/// <summary>Source-generated JSON for the job's result and progress files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(ClassifyResult))]
[JsonSerializable(typeof(ClassifyProgress))]
internal sealed partial class ClassifyJson : JsonSerializerContext;
