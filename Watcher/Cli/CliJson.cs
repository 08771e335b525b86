using System.Text.Json;
using System.Text.Json.Serialization;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Privacy;
using Onboarding.Engine.Storage.Backup;

namespace Onboarding.Watcher.Cli;

/// <summary>The shapes `onboard --json` prints; field names are a contract with scripts.</summary>
internal sealed record SegmentJson(string Client, string Group, string Segment, string Type, long Size, DateTimeOffset Created, DateTimeOffset Updated, int Version);

internal sealed record SegmentVersionJson(int Version, DateTimeOffset Created, long Size, long Added, long Removed, string Mode, string SourceFile);

internal sealed record SegmentDetailJson(SegmentJson Segment, IReadOnlyList<SegmentVersionJson> Versions);

internal sealed record AudienceDetailJson(Audience Audience, IReadOnlyList<AudienceSizePoint> History, AudienceComposition Composition);

internal sealed record SizeJson(long Size, long BaseSize, double ShareOfBase);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<SegmentJson>))]
[JsonSerializable(typeof(SegmentDetailJson))]
[JsonSerializable(typeof(IngestionResult))]
[JsonSerializable(typeof(IReadOnlyList<IngestionResult>))]
[JsonSerializable(typeof(Audience))]
[JsonSerializable(typeof(IReadOnlyList<Audience>))]
[JsonSerializable(typeof(AudienceDetailJson))]
[JsonSerializable(typeof(SizeJson))]
[JsonSerializable(typeof(AudienceSnapshot))]
[JsonSerializable(typeof(AudienceDiff))]
[JsonSerializable(typeof(OverlapMatrix))]
[JsonSerializable(typeof(ProcessingReport))]
[JsonSerializable(typeof(ErasureResult))]
[JsonSerializable(typeof(BackupReport))]
[JsonSerializable(typeof(IReadOnlyList<AuditRecord>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

internal static class CliJson
{
    public static void Write<T>(TextWriter output, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        output.WriteLine(JsonSerializer.Serialize(value, type));
}
