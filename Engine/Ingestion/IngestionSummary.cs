using System.Text.Json;
using System.Text.Json.Serialization;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Ingestion;

/// <summary>The <c>&lt;file&gt;.summary.json</c> written beside every ingested file.</summary>
public static class IngestionSummary
{
    public static void Write(string path, IngestionResult result) =>
        DurableFile.Write(path, stream => JsonSerializer.Serialize(stream, result, IngestionJsonContext.Default.IngestionResult));

    public static IngestionResult Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, IngestionJsonContext.Default.IngestionResult)
            ?? throw new InvalidDataException($"{path} holds no ingestion summary.");
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestionResult))]
internal sealed partial class IngestionJsonContext : JsonSerializerContext;
